package wanka.train;

/** What one optimizer step did; one JSONL line of metrics.jsonl. */
public record StepMetrics(long step, double loss, double lr, double gradNorm, double tokensPerSecond,
                          double modelGflops, double mfu, double stepSeconds, long tokensSeen, long peakBytes) {
}
