package wanka.tensor.ops;

import wanka.tensor.OpTimes;
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
        OpTimes t = x.device().opTimes();
        if (t == null) return LinearOp.forward(x, w, b);
        long t0 = System.nanoTime();
        Tensor y = LinearOp.forward(x, w, b);
        t.add(linearKey("linear NT", x.shape().rows(), w.shape().dim(0), x.shape().lastDim()), t0);
        return y;
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
        return timed(a, "add", () -> AddOp.forward(a, b));
    }

    /** s·x element-wise for a constant s. */
    public static Tensor scale(Tensor x, float s) {
        return timed(x, "scale", () -> ScaleOp.forward(x, s));
    }

    /** Inverted dropout with probability {@code p}, its mask drawn from {@code seed}: x·m/(1−p). */
    public static Tensor dropout(Tensor x, float p, long seed) {
        return timed(x, "dropout", () -> DropoutOp.forward(x, p, seed));
    }

    /** RMSNorm over the last axis with a learned scale. */
    public static Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return timed(x, "rms_norm", () -> RmsNormOp.forward(x, w, eps));
    }

    /** Rotary embedding of {@code heads} heads at {@code headStride} within each [batch, seq, width] row; positions start at {@code start}. */
    public static Tensor rope(Tensor x, int heads, int headStride, int headDim, RopeTable table, int start) {
        return timed(x, "rope", () -> RopeOp.forward(x, heads, headStride, headDim, table, start));
    }

    /** Rotary embedding with an explicit position per token ({@code positions[b·seq + s]}), e.g. restarting per packed sample. */
    public static Tensor rope(Tensor x, int heads, int headStride, int headDim, RopeTable table, int[] positions) {
        return timed(x, "rope", () -> RopeOp.forward(x, heads, headStride, headDim, table, 0, positions));
    }

    /**
     * Causal GQA attention restricted to segments: token t of row b attends only to earlier tokens with the same
     * {@code segmentIds[b·seq + t]} (packed samples; ids of one sample must be contiguous).
     */
    public static Tensor attention(Tensor q, Tensor kv, int heads, int kvHeads, int headDim, int[] segmentIds) {
        return timed(q, "attention", () -> AttentionOp.forward(q, kv, heads, kvHeads, headDim, segmentIds));
    }

    /** Causal GQA attention of queries [b, s, h·d] over interleaved key_value rows [b, s, kv·2d]. */
    public static Tensor attention(Tensor q, Tensor kv, int heads, int kvHeads, int headDim) {
        return timed(q, "attention", () -> AttentionOp.forward(q, kv, heads, kvHeads, headDim));
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
        return timed(gate, "swiglu", () -> SwiGluOp.forward(gate, up));
    }

    /** Rows of W [vocab, d] for token ids laid out [batch, seq]: output [batch, seq, d]. */
    public static Tensor embedding(Tensor w, int[] ids, int batch, int seq) {
        return timed(w, "embedding", () -> EmbeddingOp.forward(w, ids, batch, seq));
    }

    /**
     * Mean cross-entropy of next-token targets (−100 = ignored) under logits h·Wᵀ, computed in row chunks so
     * the full [tokens, vocab] logits are never held. Returns a scalar.
     */
    public static Tensor lmHeadCrossEntropy(Tensor h, Tensor w, int[] targets) {
        return timed(h, "lm_head_cross_entropy", () -> LmHeadLossOp.forward(h, w, targets));
    }

    /** Runs an op, adding its wall time under {@code key} to the device's op timer when one is attached. */
    private static Tensor timed(Tensor on, String key, java.util.function.Supplier<Tensor> op) {
        OpTimes t = on.device().opTimes();
        if (t == null) return op.get();
        long t0 = System.nanoTime();
        Tensor y = op.get();
        t.add(key, t0);
        return y;
    }

    /** The op timer's key of a matrix multiply: its transpose form and m×n×k (rows × outputs × reduction). */
    public static String linearKey(String form, long m, long n, long k) {
        return form + " " + m + "×" + n + "×" + k;
    }
}
