package wanka.train;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one optimizer step did; one JSONL line of metrics.jsonl. With a multi-domain data mixture,
 * {@code domainWeights} are the sampling weights the step used and {@code domainLoss} its mean training loss
 * per domain (null for a domain with no rows); both are absent otherwise.
 */
public record StepMetrics(long step, double loss, double lr, double gradNorm, double tokensPerSecond,
                          double modelGflops, double mfu, double stepSeconds, long tokensSeen, long peakBytes,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> domainWeights,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> domainLoss) {

    public StepMetrics(long step, double loss, double lr, double gradNorm, double tokensPerSecond,
                       double modelGflops, double mfu, double stepSeconds, long tokensSeen, long peakBytes) {
        this(step, loss, lr, gradNorm, tokensPerSecond, modelGflops, mfu, stepSeconds, tokensSeen, peakBytes, null, null);
    }

    /** These metrics with per-domain weights and losses ({@code NaN} loss: the domain had no rows). */
    public StepMetrics withDomains(List<String> names, double[] weights, double[] losses) {
        Map<String, Double> w = new LinkedHashMap<>(), l = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            w.put(names.get(i), weights[i]);
            l.put(names.get(i), Double.isNaN(losses[i]) ? null : losses[i]);
        }
        return new StepMetrics(step, loss, lr, gradNorm, tokensPerSecond, modelGflops, mfu, stepSeconds, tokensSeen, peakBytes, w, l);
    }
}
