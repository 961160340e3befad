package wanka.train.parallel;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which one pipeline rank runs the forward and backward passes of a step: 1F1B (PipeDream-Flush,
 * Narayanan et al. 2021), and with {@code v} > 1 model chunks per rank the interleaved 1F1B of Megatron-LM
 * ({@code forward_backward_pipelining_with_interleaving}). A rank first runs warm-up forwards, then alternates
 * one forward and one backward, then drains the remaining backwards, so at most about p micro-batches of
 * activations are alive. The idle time (bubble) is (p−1)/m of the ideal step, or (p−1)/(v·m) interleaved
 * (parallel-formulas §2.5).
 */
final class PipelineSchedule {
    /** Run the forward ({@code forward}) or backward pass of model chunk {@code chunk} on micro-batch {@code micro}. */
    record Action(boolean forward, int chunk, int micro) {
        @Override
        public String toString() {
            return (forward ? "F" : "B") + micro + (chunk > 0 ? "." + chunk : "");
        }
    }

    private PipelineSchedule() {
    }

    /** The actions of pipeline rank {@code rank} of {@code p} for {@code m} micro-batches and {@code v} chunks. */
    static List<Action> of(int p, int rank, int m, int v) {
        int total = m * v;
        int warmup = v == 1 ? Math.min(p - rank - 1, m) : Math.min((p - rank - 1) * 2 + (v - 1) * p, total);
        List<Action> a = new ArrayList<>();
        for (int k = 0; k < warmup; k++) a.add(action(true, k, p, v));
        for (int k = 0; k < total - warmup; k++) {
            a.add(action(true, k + warmup, p, v));
            a.add(action(false, k, p, v));
        }
        for (int k = total - warmup; k < total; k++) a.add(action(false, k, p, v));
        return a;
    }

    /** The k-th forward (or backward) of a rank: micro-batches go through the chunks in groups of p. */
    private static Action action(boolean forward, int k, int p, int v) {
        int inGroup = k % (p * v);
        int chunk = inGroup / p;
        if (!forward) chunk = v - 1 - chunk;
        return new Action(forward, chunk, (k / (p * v)) * p + k % p);
    }
}
