package wanka.plan;

import java.util.EnumMap;
import java.util.Map;

/**
 * What holding each {@link SavedActivation} of one layer costs in backward time, for one micro-batch on one device
 * of a layout: the seconds to rerun the op that produces it (priced by {@link Work#seconds}, collectives by
 * {@link Collectives}), or to all-gather a slice again.
 *
 * <p>Ops rerun per activation (per token, on one TP rank; h hidden, f FFN width, g·d_h the KV width):
 * <ul>
 *   <li>norm outputs: the norm, 4h bytes (÷t with SP, then an all-gather of 2sbh over TP);</li>
 *   <li>Q, K, V: the QKV matmul 2h(h + 2g·d_h)/t FLOPs and, with rotary positions, (4h + 4g·d_h)/t bytes;</li>
 *   <li>scores and context: the attention core forward (the profile's attention FLOPs and unfused softmax and
 *       dropout bytes), run once when both are recomputed;</li>
 *   <li>residual: the output projection 2h²/t FLOPs, its TP all-reduce (reduce-scatter with SP) and the add 6h bytes;</li>
 *   <li>MLP first projection: 2hf/t FLOPs (GeLU) or 4hf/t (SwiGLU gate and up); activation: 4f/t (GeLU) or 6f/t
 *       (SwiGLU) bytes; dropout masks: regenerated from the seed, 2h bytes.</li>
 * </ul>
 * A slice is gathered again while backward computes the input gradient of the linear that reads it (Megatron
 * overlaps the two), so only max(0, all-gather − that matmul) is charged.
 *
 * @param recompute seconds to rebuild each activation by recomputation (the attention core counted in both scores
 *                  and context: see {@link #seconds})
 * @param slice     seconds to all-gather a sliced linear input again (absent when it cannot be sliced)
 * @param core      seconds of the attention core forward
 */
public record RecomputePrices(Map<SavedActivation, Double> recompute, Map<SavedActivation, Double> slice, double core) {

    /** Tie-break per activation not simply kept, in seconds: among equally fast choices, keep. */
    static final double TIE_BREAK = 1e-9;

    /** Prices for one micro-batch of {@code lay} on {@code c}. */
    public static RecomputePrices of(ModelSpec m, LayerProfile prof, Cluster c, Layout lay) {
        int t = lay.tp();
        boolean sp = lay.sequenceParallel();
        long b = lay.microBatch(), s = lay.seq();
        double tokens = (double) b * s, h = m.hidden(), f = m.ffn(), kv = (double) m.kvHeads() * m.headDim();
        double rep = sp ? t : 1;
        double sbh2 = tokens * h * lay.precision().activationBytes();
        Group tpGroup = Group.strided(t, 1, c.devicesPerNode());
        double gather = t > 1 ? Collectives.reduceScatter(sbh2, tpGroup, c) : 0;
        double reduce = t > 1 ? (sp ? Collectives.reduceScatter(sbh2, tpGroup, c) : Collectives.allReduce(sbh2, tpGroup, c)) : 0;
        boolean swiglu = m.mlp() == ModelSpec.Mlp.SWIGLU;
        boolean rotary = m.learnedPositions() == 0;

        Work norm = new Work(0, 0, 4 * h * tokens / rep, 1);
        Work qkvMm = new Work(2 * h * (h + 2 * kv) * tokens / t, 0, 0, 1);
        Work qkv = qkvMm.plus(rotary ? new Work(0, 0, (4 * h + 4 * kv) * tokens / t, 1) : Work.ZERO);
        Work fwd = prof.forward(b, s, t, sp);
        Work core = new Work(0, fwd.attentionFlops(), prof.memoryScoresPerTokenSeq() * s * tokens / t, prof.attentionKernels());
        Work proj = new Work(2 * h * h * tokens / t, 0, (6 * h + (m.dropout() ? h : 0)) * tokens / rep, 2);
        Work fc1 = new Work((swiglu ? 4 : 2) * h * f * tokens / t, 0, 0, swiglu ? 2 : 1);
        Work act = new Work(0, 0, (swiglu ? 6 : 4) * f * tokens / t, 1);
        Work masks = new Work(0, 0, 2 * h * tokens / rep, 2);

        double normS = norm.seconds(c).total() + (sp ? gather : 0);
        EnumMap<SavedActivation, Double> rc = new EnumMap<>(SavedActivation.class);
        rc.put(SavedActivation.ATTN_NORM_OUT, normS);
        rc.put(SavedActivation.QKV, qkv.seconds(c).total());
        double coreS = core.seconds(c).total();
        rc.put(SavedActivation.ATTN_SCORES, coreS);
        rc.put(SavedActivation.ATTN_CONTEXT, coreS);
        rc.put(SavedActivation.ATTN_RESIDUAL, proj.seconds(c).total() + reduce);
        rc.put(SavedActivation.MLP_NORM_OUT, normS);
        rc.put(SavedActivation.MLP_FC1_OUT, fc1.seconds(c).total());
        rc.put(SavedActivation.MLP_ACT_OUT, act.seconds(c).total());
        rc.put(SavedActivation.DROPOUT_MASKS, masks.seconds(c).total());
        EnumMap<SavedActivation, Double> sl = new EnumMap<>(SavedActivation.class);
        if (t > 1) {
            // The input gradient of the linear that reads the slice: as many FLOPs as its forward.
            sl.put(SavedActivation.ATTN_NORM_OUT, Math.max(0, gather - qkvMm.seconds(c).total()));
            sl.put(SavedActivation.MLP_NORM_OUT, Math.max(0, gather - fc1.seconds(c).total()));
        }
        return new RecomputePrices(Map.copyOf(rc), Map.copyOf(sl), coreS);
    }

    /**
     * Backward seconds added by {@code lr} for one micro-batch: the producers of the recomputed activations (the
     * attention core once, however many of its outputs are dropped) and the gathers of the sliced ones.
     */
    public double seconds(LayerRecompute lr) {
        double sum = 0;
        boolean coreRun = false;
        for (Map.Entry<SavedActivation, Storage> e : lr.choice().entrySet()) {
            SavedActivation a = e.getKey();
            if (e.getValue() == Storage.SLICE) {
                Double g = slice.get(a);
                if (g == null) throw new IllegalArgumentException(a.label() + " cannot be sliced with tp 1");
                sum += g;
            } else if (a == SavedActivation.ATTN_SCORES || a == SavedActivation.ATTN_CONTEXT) {
                if (!coreRun) sum += core;
                coreRun = true;
            } else {
                sum += recompute.get(a);
            }
        }
        return sum;
    }

    /** The optimizer's objective for one layer: {@link #seconds} plus {@link #TIE_BREAK} per activation not kept. */
    double objective(LayerRecompute lr) {
        return seconds(lr) + TIE_BREAK * lr.changes();
    }
}
