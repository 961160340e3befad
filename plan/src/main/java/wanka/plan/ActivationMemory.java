package wanka.plan;

/**
 * Activation bytes kept for backward, per transformer layer and per pipeline stage (Korthikanti et al. 2022,
 * {@code parallel-formulas.md} §2.3), generalised to GQA, SwiGLU, no dropout and fused attention.
 *
 * <p>Per layer, with 16-bit activations and 1-byte dropout masks, the Megatron GPT layer keeps
 * <ul>
 *   <li>replicated over TP (split with sequence parallelism): both norm inputs 4sbh, the QKV input 2sbh, the MLP
 *       input 2sbh, and with dropout the two residual-dropout masks 2sbh: 10sbh;</li>
 *   <li>split over TP: Q 2sbh, K and V 4sb·g·d_h, the output-projection input 2sbh, the MLP inner activations
 *       (GeLU: input and output 4sbf = 16sbh at f = 4h; SwiGLU: gate, up and product 6sbf): 24sbh for GPT;</li>
 *   <li>attention scores, split over TP: softmax output 2as²b, with dropout its mask as²b and output 2as²b
 *       (5as²b); fused attention keeps only fp32 softmax statistics 4sba instead.</li>
 * </ul>
 * so GPT gives sbh(10 + 24/t + 5as/(ht)) exactly, and the other §2.3 rows follow.
 */
public final class ActivationMemory {
    private ActivationMemory() {
    }

    /** Bytes replicated over tensor-parallel ranks (split by t with sequence parallelism), per layer. */
    static double replicated(ModelSpec m, double s, double b) {
        double sbh = s * b * m.hidden();
        return sbh * (4 + 2 + 2 + (m.dropout() ? 2 : 0));
    }

    /** Bytes split over tensor-parallel ranks, outside the attention scores, per layer (before dividing by t). */
    static double split(ModelSpec m, double s, double b) {
        double sb = s * b;
        double h = m.hidden();
        double kv = 4.0 * sb * m.kvHeads() * m.headDim();
        double mlp = (m.mlp() == ModelSpec.Mlp.SWIGLU ? 6.0 : 4.0) * sb * m.ffn();
        return 2 * sb * h + kv + 2 * sb * h + mlp;
    }

    /** Attention-score bytes (softmax and dropout, or fused-attention statistics), per layer, before dividing by t. */
    static double scores(ModelSpec m, double s, double b) {
        if (m.flashAttention()) return 4.0 * s * b * m.heads();
        return (m.dropout() ? 5.0 : 2.0) * m.heads() * s * s * b;
    }

    /**
     * Bytes one layer keeps for one micro-batch of {@code b} sequences of length {@code s} on one TP rank (§2.3 table).
     */
    public static double perLayer(ModelSpec m, long s, long b, int t, boolean sp, Recompute rc) {
        double rep = replicated(m, s, b) / (sp ? t : 1);
        return switch (rc) {
            case Recompute.None n -> rep + split(m, s, b) / t + scores(m, s, b) / t;
            case Recompute.Selective sel -> rep + split(m, s, b) / t; // the attention core (scores, or fused statistics) recomputed
            case Recompute.Full f -> 2.0 * s * b * m.hidden() / (sp ? t : 1);
        };
    }

    /**
     * Micro-batches' worth of activations the first stage holds at its peak, as a multiple of p micro-batches of
     * its layers (§2.3 pipeline placement): 1F1B keeps min(m, p) of p; interleaving multiplies by 1 + (p−1)/(p·v),
     * and never more than the m micro-batches a step has (m/p: with m = p every forward runs before any backward).
     */
    public static double inFlightFactor(int p, int v, int m) {
        return inFlightMicroBatches(0, p, v, m) / p;
    }

    /**
     * Micro-batches of its layers pipeline device {@code rank} of p holds at its peak, from the warm-up of Megatron's
     * schedules (§2.5): 1F1B min(p − r, m); interleaved min(2(p − r − 1) + (v − 1)p + 1, m·v) chunk forwards, each
     * 1/v of the device's layers. For r = 0 this is §2.3's p·(1 + (p−1)/(p·v)); it is at least 1.
     */
    public static double inFlightMicroBatches(int rank, int p, int v, int m) {
        if (v == 1) return Math.min(p - rank, m);
        return Math.min(2.0 * (p - rank - 1) + (v - 1.0) * p + 1, (double) m * v) / v;
    }

    /** Layers held by the most loaded device: ceil(l/(p·v)) per model chunk times v chunks. */
    public static int layersPerDevice(ModelSpec m, int p, int v) {
        return ceilDiv(m.layers(), p * v) * v;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Activation bytes of pipeline stage 0 at its peak (§2.3, Megatron's estimator): p micro-batches of its layers
     * times the in-flight factor, plus 8sbp for token ids and positions, plus the embedding dropout mask sbhp, plus,
     * when p = 1, the output layer and loss 4sbh(1 + V/h)/t.
     */
    public static double firstStage(ModelSpec m, Layout lay) {
        long s = lay.seq(), b = lay.microBatch();
        int p = lay.pp(), t = lay.tp();
        double layers = (double) layersPerDevice(m, p, lay.vpp()) * p;
        double a = layers * perLayer(m, s, b, t, lay.sequenceParallel(), lay.recompute())
                * inFlightFactor(p, lay.vpp(), lay.microBatches());
        return a + firstStageExtras(m, lay);
    }

    /**
     * What stage 0 keeps besides its layers (§2.3): 8sbp for token ids and positions, the embedding dropout mask sbhp,
     * and when p = 1 the output layer and loss.
     */
    public static double firstStageExtras(ModelSpec m, Layout lay) {
        long s = lay.seq(), b = lay.microBatch();
        int p = lay.pp();
        double a = 8.0 * s * b * p;
        if (m.dropout()) a += (double) s * b * m.hidden() * p;
        if (p == 1) a += outputLayer(m, s, b, lay.tp());
        return a;
    }

    /** The output layer and cross-entropy: 4sbh(1 + V/h)/t (logits in fp32 and the LM-head input). */
    public static double outputLayer(ModelSpec m, long s, long b, int t) {
        return 4.0 * s * b * m.hidden() * (1 + (double) m.vocab() / m.hidden()) / t;
    }
}
