package wanka.plan;

import java.util.List;

/**
 * Prices each op of a step at its own shape with the rates {@code wanka plan calibrate} measured ({@link CpuRates}), as a
 * profiling simulator does: every matrix multiply of a layer (query, key_value, output, gate, up, down; forward NT,
 * backward-data NN, backward-weight TN) at its m × n × k on this TP rank, the attention kernels at the sequence length
 * and head dimension, the element-wise ops at the measured element-wise byte rate (the profile's bytes are 16-bit; they
 * scale with the activation width), the allocation and zeroing of the tensors the layer creates (the META trace's
 * allocation counter) at the measured allocation rate, the LM head's multiplies at their shapes, and the optimizer pass at
 * its measured parameters per second. Nothing here is fitted to a run.
 */
record MeasuredPricing(ModelSpec m, LayerProfile prof, Cluster c, Precision pr) implements OpPricing {
    /** One linear layer: input and output width, and whether TP splits its output (column) or its input (row). */
    record Linear(String name, int in, int out, boolean columnParallel) {
        int inOn(int t) {
            return columnParallel ? in : in / t;
        }

        int outOn(int t) {
            return columnParallel ? out / t : out;
        }
    }

    /** The linear layers of one TeleChat2-style layer. */
    static List<Linear> linears(ModelSpec m) {
        int h = m.hidden(), q = m.heads() * m.headDim(), kv = 2 * m.kvHeads() * m.headDim(), f = m.ffn();
        return List.of(new Linear("query", h, q, true), new Linear("key_value", h, kv, true), new Linear("dense", q, h, false),
                new Linear("gate", h, f, true), new Linear("up", h, f, true), new Linear("down", f, h, false));
    }

    private CpuRates rates() {
        return c.rates();
    }

    /**
     * Seconds of the memory-bound bytes of a {@link Work} (16-bit bytes in the profile, scaled to the activation width) at
     * the element-wise rate of tensors of {@code tensorBytes}.
     */
    private double memory(Work w, double tensorBytes) {
        return w.memoryBytes() * pr.activationBytes() / 2 / rates().elementwise(tensorBytes);
    }

    /** The size of a layer's element-wise tensors: the MLP's activation on this TP rank (the widest). */
    private double layerTensor(long b, long s, int t) {
        return (double) b * s * m.ffn() / t * pr.activationBytes();
    }

    /** Seconds of allocating {@code perToken} bytes (fp32, one TP rank) per token, split over TP as the layer's traffic is. */
    private double allocation(double perToken, long b, long s, int t, boolean sp) {
        double split = prof.forward(b, s, t, sp).memoryBytes() / prof.forward(b, s, 1, false).memoryBytes();
        return perToken * b * s * split * pr.activationBytes() / 4 / rates().allocationBytesPerSecond();
    }

    @Override
    public Work.Seconds layerForward(long b, long s, int t, boolean sp) {
        Work w = prof.forward(b, s, t, sp);
        double tokens = (double) b * s, mm = 0;
        for (Linear l : linears(m)) mm += rates().gemmSeconds("NT", tokens, l.outOn(t), l.inOn(t));
        double attn = w.attentionFlops() / rates().attentionForward(s, m.headDim());
        return new Work.Seconds(mm, attn, memory(w, layerTensor(b, s, t)), w.kernels() * c.efficiency().kernelOverhead(),
                allocation(prof.allocatedForwardPerToken(), b, s, t, sp));
    }

    @Override
    public Work.Seconds layerBackward(long b, long s, int t, boolean sp) {
        Work w = prof.backward(b, s, t, sp);
        double tokens = (double) b * s, mm = 0;
        for (Linear l : linears(m)) {
            mm += rates().gemmSeconds("NN", tokens, l.inOn(t), l.outOn(t)) + rates().gemmSeconds("TN", l.outOn(t), l.inOn(t), tokens);
        }
        double attn = w.attentionFlops() / rates().attentionBackward(s, m.headDim());
        return new Work.Seconds(mm, attn, memory(w, layerTensor(b, s, t)), w.kernels() * c.efficiency().kernelOverhead(),
                allocation(prof.allocatedBackwardPerToken(), b, s, t, sp));
    }

    @Override
    public Work.Seconds recompute(Recompute rc, long b, long s, int t, boolean sp) {
        return switch (rc) {
            case Recompute.None n -> Work.Seconds.ZERO;
            case Recompute.Full full -> layerForward(b, s, t, sp);
            case Recompute.Selective sel -> {
                Work w = prof.recompute(rc, b, s, t, sp);
                yield new Work.Seconds(0, w.attentionFlops() / rates().attentionForward(s, m.headDim()), memory(w, layerTensor(b, s, t)),
                        w.kernels() * c.efficiency().kernelOverhead(), 0);
            }
        };
    }

    @Override
    public Work.Seconds embedding(double tokens, boolean backward) {
        Work w = OpPricing.embeddingWork(m, pr, tokens, backward);
        return new Work.Seconds(0, 0, w.memoryBytes() / rates().elementwise(tokens * m.hidden() * pr.activationBytes()), w.kernels() * c.efficiency().kernelOverhead(), 0);
    }

    @Override
    public Work.Seconds head(double tokens, int t, boolean backward) {
        Work w = OpPricing.headWork(m, tokens, t, backward);
        double v = (double) m.vocab() / t, h = m.hidden();
        double mm = backward ? rates().gemmSeconds("NN", tokens, h, v) + rates().gemmSeconds("TN", v, h, tokens)
                : rates().gemmSeconds("NT", tokens, v, h);
        return new Work.Seconds(mm, 0, memory(w, tokens * v * pr.activationBytes()), w.kernels() * c.efficiency().kernelOverhead(), 0); // the logits
    }

    @Override
    public double optimizer(double params) {
        return params / rates().optimizerParamsPerSecond();
    }
}
