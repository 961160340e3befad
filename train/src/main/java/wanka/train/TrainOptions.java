package wanka.train;

import java.nio.file.Path;

/**
 * What a pre-training run does. {@code batch} sequences of {@code seq} tokens form a micro-batch;
 * {@code gradAccum} micro-batches form one optimizer step.
 */
public record TrainOptions(
        int batch, int seq, long steps, int gradAccum,
        double lr, double minLr, long warmup, String schedule, double clipNorm,
        AdamWOptimizer.Settings adam, long seed,
        int logEvery, int checkpointEvery, Path outDir) {

    public TrainOptions {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (seq < 2) throw new IllegalArgumentException("--seq must be >= 2, got " + seq);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be >= 1, got " + gradAccum);
        if (!(clipNorm >= 0 && clipNorm < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("--clip must be a finite number >= 0 (0 = off), got " + clipNorm);
        if (logEvery < 1) throw new IllegalArgumentException("log interval must be >= 1, got " + logEvery);
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0 (0 = only at the end), got " + checkpointEvery);
        LrSchedule.of(schedule, lr, minLr, warmup, steps); // validates the name, --lr, --min-lr and --warmup
    }

    public LrSchedule lrSchedule() {
        return LrSchedule.of(schedule, lr, minLr, warmup, steps);
    }

    public long tokensPerStep() {
        return (long) batch * seq * gradAccum;
    }
}
