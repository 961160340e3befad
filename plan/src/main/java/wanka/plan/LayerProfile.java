package wanka.plan;

/**
 * The forward work of one transformer layer as linear functions of the tokens in a micro-batch (and of the
 * sequence length for attention), so it can be evaluated at any micro-batch, sequence length and TP degree.
 * Backward is 2× the matmul FLOPs and the memory traffic, and {@link #attentionBackwardFactor} × the attention
 * FLOPs (2 for unfused attention, 2.5 for fused attention, which recomputes the scores).
 *
 * @param matmulPerToken           matmul FLOPs per token (2 × the layer's weight-matrix parameters)
 * @param attentionPerTokenSeq     attention FLOPs per token per unit of s
 * @param attentionPerToken        attention FLOPs per token independent of s (the causal +1 term)
 * @param memoryReplicatedPerToken bytes per token of memory-bound ops on h-wide tensors (norms, residual adds,
 *                                 dropout): replicated over TP unless sequence parallel
 * @param memorySplitPerToken      bytes per token of memory-bound ops split over TP (MLP activation, rotary)
 * @param memoryScoresPerTokenSeq  bytes per token per unit of s of unfused softmax and dropout
 * @param matmulKernels            matmul kernels per layer forward
 * @param attentionKernels         attention-core kernels per layer forward
 * @param memoryKernels            memory-bound kernels per layer forward
 * @param attentionBackwardFactor  attention backward FLOPs over forward
 * @param fusedAttention           whether attention is fused (no scores kept, so selective recompute redoes nothing)
 * @param allocatedForwardPerToken  bytes of tensors the forward allocates per token (the META device's allocation
 *                                  counter, fp32, one TP rank of 1), priced by the measured allocation rate; 0 in the
 *                                  closed form (a GPU's caching allocator hands out reused memory)
 * @param allocatedBackwardPerToken the same for the backward
 * @param source                   "closed form" or a description of the trace it came from
 */
public record LayerProfile(double matmulPerToken, double attentionPerTokenSeq, double attentionPerToken,
                           double memoryReplicatedPerToken, double memorySplitPerToken, double memoryScoresPerTokenSeq,
                           int matmulKernels, int attentionKernels, int memoryKernels, double attentionBackwardFactor,
                           boolean fusedAttention, double allocatedForwardPerToken, double allocatedBackwardPerToken,
                           String source) {

    /**
     * The closed form for a model (16-bit activations). Matmul: 2 × (QKV, output, MLP matrices) per token.
     * Attention: QKᵀ and ·V, 4hs per token unfused (Megatron counts the full square), 2h(s + 1) fused causal (as
     * the META device counts). Memory-bound, read + write bytes per token: each norm 4h, each residual add 6h,
     * with dropout 1h per mask; GeLU 4f, SwiGLU 6f; rotary 4h + 4g·d_h; unfused softmax 4a·s and its dropout 5a·s.
     */
    public static LayerProfile closedForm(ModelSpec m) {
        double h = m.hidden();
        double f = m.ffn();
        double rep = 2 * 4 * h + 2 * 6 * h + (m.dropout() ? 2 * h : 0);
        double split = (m.mlp() == ModelSpec.Mlp.SWIGLU ? 6 * f : 4 * f)
                + (m.learnedPositions() == 0 ? 4 * h + 4.0 * m.kvHeads() * m.headDim() : 0);
        double scores = m.flashAttention() ? 0 : 4.0 * m.heads() + (m.dropout() ? 5.0 * m.heads() : 0);
        int memKernels = 4 + 1 + (m.learnedPositions() == 0 ? 1 : 0) + (m.flashAttention() ? 0 : (m.dropout() ? 2 : 1));
        return new LayerProfile(2.0 * m.layerMatrixParameters(), m.flashAttention() ? 2 * h : 4 * h,
                m.flashAttention() ? 2 * h : 0, rep, split, scores, 4, m.flashAttention() ? 1 : 2, memKernels,
                m.flashAttention() ? 2.5 : 2.0, m.flashAttention(), 0, 0, "closed form");
    }

    /** Forward work of one layer for a micro-batch of {@code b} sequences of length {@code s} on one of t TP ranks. */
    public Work forward(long b, long s, int t, boolean sp) {
        double tokens = (double) b * s;
        double attn = (attentionPerTokenSeq * s + attentionPerToken) * tokens / t;
        double mem = memoryReplicatedPerToken * tokens / (sp ? t : 1) + memorySplitPerToken * tokens / t
                + memoryScoresPerTokenSeq * s * tokens / t;
        return new Work(matmulPerToken * tokens / t, attn, mem, matmulKernels + attentionKernels + memoryKernels);
    }

    /** Backward work of one layer (see the class comment). */
    public Work backward(long b, long s, int t, boolean sp) {
        Work f = forward(b, s, t, sp);
        return new Work(2 * f.matmulFlops(), attentionBackwardFactor * f.attentionFlops(), 2 * f.memoryBytes(),
                2 * f.kernels());
    }

    /**
     * Work redone in backward: the whole forward (full), the attention core and its softmax (selective; with fused
     * attention the kernel's forward, which rebuilds the statistics selective drops), nothing.
     */
    public Work recompute(Recompute rc, long b, long s, int t, boolean sp) {
        Work f = forward(b, s, t, sp);
        return switch (rc) {
            case Recompute.None n -> Work.ZERO;
            case Recompute.Full full -> f;
            case Recompute.Selective sel -> new Work(0, f.attentionFlops(),
                    memoryScoresPerTokenSeq * s * (double) b * s / t, attentionKernels); // fused: the kernel's forward again
        };
    }
}
