package wanka.train;

import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.MetaDevice;
import wanka.tensor.Tensor;

/**
 * The heap a pre-training run needs, in bytes, known before anything is allocated: FP32 parameters, their
 * gradients, AdamW's two moments, and the activations one micro-batch keeps for backward. The activations
 * come from running the model's own forward and backward on the {@link MetaDevice}, which allocates nothing
 * and tracks what a real device would hold, so the estimate follows the model code.
 */
public record TrainMemory(long parameters, long gradients, long optimizer, long activations) {

    /** The estimate for {@code batch} sequences of {@code seq} tokens per micro-batch. */
    public static TrainMemory estimate(TeleChat2Config config, int batch, int seq) {
        long weights = 4L * config.parameterCount();
        MetaDevice meta = new MetaDevice();
        TeleChat2 model = TeleChat2.initialize(config, meta, 0);
        int[] ids = new int[Math.multiplyExact(batch, seq)];
        try {
            model.loss(ids, ids, batch, seq).backward(); // allocates the gradients, which then live for the whole run
            long held = meta.memory().liveBytes();
            meta.memory().resetPeak();
            model.loss(ids, ids, batch, seq).backward(); // a step as every later one runs: what it adds is activations
            return new TrainMemory(weights, weights, 2 * weights, Math.max(0, meta.memory().peakBytes() - held));
        } catch (IllegalArgumentException e) { // a tensor past 2^31 elements: the real run would stop there too
            throw new IllegalArgumentException("--batch " + batch + " × --seq " + seq + " is too large for this model: " + e.getMessage(), e);
        }
    }

    public long total() {
        return parameters + gradients + optimizer + activations;
    }

    /** e.g. "112.4 GiB (parameters 26.1 GiB, gradients 26.1 GiB, AdamW moments 52.2 GiB, activations 8.0 GiB)". */
    @Override
    public String toString() {
        return gib(total()) + " (parameters " + gib(parameters) + ", gradients " + gib(gradients) + ", AdamW moments " + gib(optimizer)
                + ", activations " + gib(activations) + ")";
    }

    public static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
