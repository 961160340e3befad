package wanka.align.pref;

import wanka.align.ops.AlignOps;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;

/** Sequence log-probabilities {@code log π(y|x)} of the response tokens of each row of a pair batch, [2n]. */
public final class PolicyLogProbs {
    private PolicyLogProbs() {
    }

    public static Tensor of(TeleChat2 model, PairBatch b) {
        Tensor h = model.hidden(b.ids(), 2 * b.pairs(), b.seq());
        return AlignOps.sequenceLogProbs(h, model.lmHead(), b.targets(), b.seq());
    }

    /** The reference log-probs (no graph), as doubles. */
    public static double[] reference(TeleChat2 reference, PairBatch b) {
        try (var ignored = reference.device().noGrad()) {
            float[] f = of(reference, b).toArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }
    }
}
