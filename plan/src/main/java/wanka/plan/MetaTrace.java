package wanka.plan;

import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.MetaDevice;
import wanka.tensor.Tensor;

import java.util.Map;

/**
 * Derives a TeleChat2 {@link LayerProfile} by running the real model code on the {@link MetaDevice}: a training
 * step (forward and backward) of a 2-layer and of a 1-layer copy of the model, whose per-op differences are
 * exactly one layer. Tracing at two sequence lengths separates the work linear in tokens from the attention work
 * quadratic in s, so the profile scales analytically to any batch and length. The trace runs the full-width
 * layer (all of h, f and the heads) at batch 1 and short sequences, so even a 1T-class layer traces in well under a
 * second; it is a scaled trace only in sequence length.
 *
 * <p>The META device counts fp32 bytes; memory traffic is halved to 16-bit activations. It records FLOPs of
 * backward but not all backward bytes, so the backward uses the multipliers of {@link LayerProfile}.
 */
public final class MetaTrace {
    /** The two traced sequence lengths. */
    static final int S1 = 16;
    static final int S2 = 32;

    private MetaTrace() {
    }

    /** The profile of one TeleChat2 layer of {@code config}, from META traces. */
    public static LayerProfile teleChat2Layer(TeleChat2Config config) {
        Map<String, MetaDevice.OpCost> a1 = layerCosts(config, S1);
        Map<String, MetaDevice.OpCost> a2 = layerCosts(config, S2);
        double[] c1 = classify(a1), c2 = classify(a2);
        // c = per-token coefficients at length s: linear part x + quadratic part y·s.
        double mm = c1[0] / S1;
        double attnSeq = (c2[1] / S2 - c1[1] / S1) / (S2 - S1);
        double attnTok = c1[1] / S1 - attnSeq * S1;
        double rep = c1[2] / S1 / 2, split = c1[3] / S1 / 2;
        double attnBack = c1[4] / c1[1];
        int[] kernels = kernelCounts(a1);
        // Allocated bytes per token: the 2-layer − 1-layer difference at two lengths (weights and their gradients cancel).
        long[] al1 = layerAllocation(config, S1), al2 = layerAllocation(config, S2);
        double allocF = (double) (al2[0] - al1[0]) / (S2 - S1), allocB = (double) (al2[1] - al1[1]) / (S2 - S1);
        return new LayerProfile(mm, attnSeq, attnTok, rep, split, 0, kernels[0], kernels[1], kernels[2], attnBack, true, allocF, allocB,
                "META trace of one TeleChat2 layer (h " + config.hiddenSize() + ", s " + S1 + " and " + S2 + ", batch 1)");
    }

    /**
     * Costs of one layer at batch 1 and length s: the costs of a 2-layer model's training step minus those of a
     * 1-layer model's, per op name.
     */
    static Map<String, MetaDevice.OpCost> layerCosts(TeleChat2Config config, int s) {
        Map<String, MetaDevice.OpCost> two = step(config.withNumLayers(2).withSeqLen(s), s);
        Map<String, MetaDevice.OpCost> one = step(config.withNumLayers(1).withSeqLen(s), s);
        Map<String, MetaDevice.OpCost> diff = new java.util.LinkedHashMap<>();
        two.forEach((op, c) -> {
            MetaDevice.OpCost o = one.get(op);
            long calls = c.calls() - (o == null ? 0 : o.calls());
            double f = c.flops() - (o == null ? 0 : o.flops()), b = c.bytes() - (o == null ? 0 : o.bytes());
            if (calls != 0 || f != 0 || b != 0) diff.put(op, new MetaDevice.OpCost(op, calls, f, b));
        });
        return diff;
    }

    /** Bytes one layer allocates at batch 1 and length s: [forward, backward], a 2-layer minus a 1-layer step. */
    static long[] layerAllocation(TeleChat2Config config, int s) {
        long[] two = allocation(config.withNumLayers(2).withSeqLen(s), s), one = allocation(config.withNumLayers(1).withSeqLen(s), s);
        return new long[]{two[0] - one[0], two[1] - one[1]};
    }

    private static long[] allocation(TeleChat2Config c, int s) {
        MetaDevice meta = new MetaDevice();
        TeleChat2 m = TeleChat2.initialize(c, meta, 0);
        int[] ids = new int[s];
        long a0 = meta.memory().allocatedBytes();
        Tensor loss = m.loss(ids, ids, 1, s);
        long a1 = meta.memory().allocatedBytes();
        loss.backward();
        return new long[]{a1 - a0, meta.memory().allocatedBytes() - a1};
    }

    private static Map<String, MetaDevice.OpCost> step(TeleChat2Config c, int s) {
        MetaDevice meta = new MetaDevice();
        TeleChat2 m = TeleChat2.initialize(c, meta, 0);
        int[] ids = new int[s];
        Tensor loss = m.loss(ids, ids, 1, s);
        loss.backward();
        return meta.costs();
    }

    /** [matmul fwd FLOPs, attention fwd FLOPs, replicated fwd bytes, split fwd bytes, attention bwd FLOPs]. */
    static double[] classify(Map<String, MetaDevice.OpCost> costs) {
        double[] r = new double[5];
        for (MetaDevice.OpCost c : costs.values()) {
            String op = c.op();
            boolean back = op.endsWith(".backward");
            if (op.startsWith("linear")) {
                if (!back) r[0] += c.flops();
            } else if (op.startsWith("attention")) {
                r[back ? 4 : 1] += c.flops();
            } else if (!back) {
                if (op.equals("rms_norm") || op.equals("add")) r[2] += c.bytes();
                else r[3] += c.bytes();
            }
        }
        return r;
    }

    private static int[] kernelCounts(Map<String, MetaDevice.OpCost> costs) {
        int[] k = new int[3];
        for (MetaDevice.OpCost c : costs.values()) {
            if (c.op().endsWith(".backward")) continue;
            int i = c.op().startsWith("linear") ? 0 : c.op().startsWith("attention") ? 1 : 2;
            k[i] += (int) c.calls();
        }
        return k;
    }
}
