package wanka.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from logits: repetition penalty (HF/CTRL rule: divide positive logits,
 * multiply negative ones, for tokens already in the context), then greedy or temperature + top-k + top-p sampling.
 */
public final class Sampler {
    private final GenerationConfig config;
    private final SplittableRandom random;

    public Sampler(GenerationConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    /** Picks a token; {@code logits} may be modified. {@code context} holds the ids seen so far. */
    public int next(float[] logits, int[] context, int contextLength) {
        int limit = config.vocabLimit();
        if (limit > 0 && limit < logits.length) java.util.Arrays.fill(logits, limit, logits.length, Float.NEGATIVE_INFINITY);
        double rp = config.repetitionPenalty();
        if (rp != 1.0) {
            boolean[] seen = new boolean[logits.length];
            for (int i = 0; i < contextLength; i++) {
                int id = context[i];
                if (id >= 0 && id < logits.length && !seen[id]) {
                    seen[id] = true;
                    logits[id] = (float) (logits[id] > 0 ? logits[id] / rp : logits[id] * rp);
                }
            }
        }
        if (config.temperature() == 0) return argmax(logits);
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int k = config.topK() > 0 ? Math.min(config.topK(), n) : n;
        double max = logits[order[0]];
        double[] probs = new double[k];
        double z = 0;
        for (int i = 0; i < k; i++) z += probs[i] = Math.exp((logits[order[i]] - max) / config.temperature());
        // top-p: smallest prefix whose probability reaches p (at least one token).
        int keep = 0;
        double cum = 0;
        while (keep < k) {
            cum += probs[keep] / z;
            keep++;
            if (cum >= config.topP()) break;
        }
        double total = 0;
        for (int i = 0; i < keep; i++) total += probs[i];
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= probs[i];
            if (u <= 0) return order[i];
        }
        return order[keep - 1];
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
