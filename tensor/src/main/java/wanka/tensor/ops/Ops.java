package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.cpu.RopeTable;

/**
 * The differentiable ops models are written with. Each runs its CPU kernel (or, on the META device,
 * only computes shapes and records cost) and records a backward node when any input requires grad.
 */
public final class Ops {
    private Ops() {
    }

    /** x·Wᵀ + b over the last axis; W is [out, in], b is [out] or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return LinearOp.forward(x, w, b);
    }

    /**
     * A LoRA-adapted projection as one op, {@code x·Wᵀ + bias + s·(xd·Aᵀ)·Bᵀ} ({@code xd}: x, or a dropout of it), keeping
     * far fewer activations for backward than the same sum of separate ops.
     */
    public static Tensor loraLinear(Tensor x, Tensor xd, Tensor w, Tensor bias, Tensor a, Tensor b, float s) {
        return LoraLinearOp.forward(x, xd, w, bias, a, b, s);
    }

    /** Element-wise sum of two tensors of the same shape. */
    public static Tensor add(Tensor a, Tensor b) {
        return AddOp.forward(a, b);
    }

    /** s·x element-wise for a constant s. */
    public static Tensor scale(Tensor x, float s) {
        return ScaleOp.forward(x, s);
    }

    /** Inverted dropout with probability {@code p}, its mask drawn from {@code seed}: x·m/(1−p). */
    public static Tensor dropout(Tensor x, float p, long seed) {
        return DropoutOp.forward(x, p, seed);
    }

    /** RMSNorm over the last axis with a learned scale. */
    public static Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return RmsNormOp.forward(x, w, eps);
    }

    /** Rotary embedding of {@code heads} heads at {@code headStride} within each [batch, seq, width] row; positions start at {@code start}. */
    public static Tensor rope(Tensor x, int heads, int headStride, int headDim, RopeTable table, int start) {
        return RopeOp.forward(x, heads, headStride, headDim, table, start);
    }

    /** Rotary embedding with an explicit position per token ({@code positions[b·seq + s]}), e.g. restarting per packed sample. */
    public static Tensor rope(Tensor x, int heads, int headStride, int headDim, RopeTable table, int[] positions) {
        return RopeOp.forward(x, heads, headStride, headDim, table, 0, positions);
    }

    /**
     * Causal GQA attention restricted to segments: token t of row b attends only to earlier tokens with the same
     * {@code segmentIds[b·seq + t]} (packed samples; ids of one sample must be contiguous).
     */
    public static Tensor attention(Tensor q, Tensor kv, int heads, int kvHeads, int headDim, int[] segmentIds) {
        return AttentionOp.forward(q, kv, heads, kvHeads, headDim, segmentIds);
    }

    /** Causal GQA attention of queries [b, s, h·d] over interleaved key_value rows [b, s, kv·2d]. */
    public static Tensor attention(Tensor q, Tensor kv, int heads, int kvHeads, int headDim) {
        return AttentionOp.forward(q, kv, heads, kvHeads, headDim);
    }

    /**
     * Attention for generation: appends this step's key_value rows [1, s, kv·2d] to {@code cache}, then lets the
     * new queries attend to everything cached. No autograd.
     */
    public static Tensor attentionCached(Tensor q, Tensor kv, KvCacheView cache, int heads, int kvHeads, int headDim) {
        return CachedAttention.forward(q, kv, cache, heads, kvHeads, headDim);
    }

    /** silu(gate) · up. */
    public static Tensor swiglu(Tensor gate, Tensor up) {
        return SwiGluOp.forward(gate, up);
    }

    /** Rows of W [vocab, d] for token ids laid out [batch, seq]: output [batch, seq, d]. */
    public static Tensor embedding(Tensor w, int[] ids, int batch, int seq) {
        return EmbeddingOp.forward(w, ids, batch, seq);
    }

    /**
     * Mean cross-entropy of next-token targets (−100 = ignored) under logits h·Wᵀ, computed in row chunks so
     * the full [tokens, vocab] logits are never held. Returns a scalar.
     */
    public static Tensor lmHeadCrossEntropy(Tensor h, Tensor w, int[] targets) {
        return LmHeadLossOp.forward(h, w, targets);
    }
}
