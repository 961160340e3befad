package wanka.align.train;

import wanka.train.AdamWOptimizer;
import wanka.train.LrSchedule;

import java.nio.file.Path;

/**
 * The optimizer loop's settings: {@code gradAccum} micro-batches per step, AdamW with {@code lr} on {@code schedule}
 * ({@code cosine} to {@code minLr} or {@code constant}) after {@code warmup} steps, gradients clipped to global norm
 * {@code clipNorm} (0: off), a checkpoint every {@code checkpointEvery} steps (0: only at the end). {@code seed},
 * {@code batch} and {@code seq} fix the data order (micro-batch k is a function of them and k); they are recorded in
 * each checkpoint so that a resume with other values, which would not continue the same run, is refused.
 */
public record PostTrainOptions(long steps, int gradAccum, double lr, double minLr, long warmup, String schedule,
                               double clipNorm, AdamWOptimizer.Settings adam, int checkpointEvery, Path outDir,
                               long seed, int batch, int seq) {
    public PostTrainOptions {
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be >= 1, got " + gradAccum);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (clipNorm < 0) throw new IllegalArgumentException("--clip must be >= 0 (0 = off), got " + clipNorm);
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0 (0 = only at the end), got " + checkpointEvery);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (seq < 2) throw new IllegalArgumentException("--seq must be >= 2, got " + seq);
        LrSchedule.of(schedule, lr, minLr, warmup, steps);
    }

    public LrSchedule lrSchedule() {
        return LrSchedule.of(schedule, lr, minLr, warmup, steps);
    }
}
