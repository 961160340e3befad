package wanka.plan;

/**
 * Peak memory of the most loaded device, in bytes, by what holds it.
 *
 * @param stage        which pipeline stage this is (0 = first)
 * @param parameters   parameters held by the device (after TP/PP split, before ZeRO)
 * @param weights      working weights
 * @param gradients    gradients
 * @param optimizer    optimizer state (fp32 master, Adam m and v)
 * @param activations  activations kept for backward across the in-flight micro-batches
 * @param commBuffers  collective and point-to-point buffers
 * @param temporaries  transient peaks: one layer's activations during full recompute, the logits of the loss
 * @param usable       what the device can allocate
 */
public record MemoryBreakdown(int stage, double parameters, double weights, double gradients, double optimizer,
                              double activations, double commBuffers, double temporaries, double usable) {

    /** @return the sum of all parts */
    public double total() {
        return weights + gradients + optimizer + activations + commBuffers + temporaries;
    }

    /** @return the same breakdown measured against another budget */
    public MemoryBreakdown withUsable(double budget) {
        return new MemoryBreakdown(stage, parameters, weights, gradients, optimizer, activations, commBuffers, temporaries, budget);
    }

    /** @return whether the total fits the usable memory */
    public boolean fits() {
        return total() <= usable;
    }
}
