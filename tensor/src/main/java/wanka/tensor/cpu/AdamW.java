package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * AdamW with the semantics of PyTorch's {@code torch.optim.AdamW} (single-tensor path), in place
 * over flat float arrays. For step {@code t >= 1}, per element:
 * <pre>
 * p = p * (1 - lr * weightDecay)                    (decoupled weight decay, first)
 * m = m + (1 - beta1) * (g - m)                      (= beta1 m + (1 - beta1) g, as torch's lerp)
 * v = beta2 * v + (1 - beta2) * g * g
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Scalar factors are computed in double and rounded to float once, as PyTorch does.
 *
 * @param beta1       first-moment decay, in [0, 1)
 * @param beta2       second-moment decay, in [0, 1)
 * @param eps         denominator epsilon, >= 0
 * @param weightDecay decoupled weight decay, >= 0
 */
public record AdamW(double beta1, double beta2, double eps, double weightDecay) {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 14; // elements per parallel chunk, at least

    /** Validates the hyperparameters. */
    public AdamW {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }

    /**
     * One update of {@code len} parameters at step {@code step} (1 for the first update) with
     * learning rate {@code lr}: updates {@code p}, {@code m} and {@code v} in place from {@code g}.
     */
    public void step(CpuPool pool, double lr, long step, int len,
                     float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff) {
        if (!(lr >= 0)) throw new IllegalArgumentException("lr must be >= 0, got " + lr);
        KernelChecks.atLeast("step", step, 1);
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("p", p, pOff, len);
        KernelChecks.range("g", g, gOff, len);
        KernelChecks.range("m", m, mOff, len);
        KernelChecks.range("v", v, vOff, len);
        float decay = (float) (1 - lr * weightDecay);
        double w1 = 1 - beta1;
        boolean lerpFromStart = Math.abs(w1) < 0.5; // torch's lerp: start + w (end - start), else end - (end - start)(1 - w)
        float lerpW = (float) (lerpFromStart ? w1 : 1 - w1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float stepSize = (float) (-lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float epsF = (float) eps;
        pool.parallelFor(len, WORK_GRAIN, (from, to) -> {
            for (int i = from; i < to; i += S.length()) {
                VectorMask<Float> k = S.indexInRange(i, to);
                FloatVector pv = FloatVector.fromArray(S, p, pOff + i, k).mul(decay);
                FloatVector gv = FloatVector.fromArray(S, g, gOff + i, k);
                FloatVector mv = FloatVector.fromArray(S, m, mOff + i, k);
                FloatVector vv = FloatVector.fromArray(S, v, vOff + i, k);
                FloatVector diff = gv.sub(mv);
                mv = lerpFromStart ? mv.add(diff.mul(lerpW)) : gv.sub(diff.mul(lerpW));
                vv = vv.mul(b2).add(gv.mul(oneMinusB2).mul(gv)); // torch addcmul: (value * g) * g
                FloatVector denom = vv.sqrt().div(bc2Sqrt).add(epsF);
                pv = pv.add(mv.mul(stepSize).div(denom)); // torch addcdiv: (value * m) / denom
                pv.intoArray(p, pOff + i, k);
                mv.intoArray(m, mOff + i, k);
                vv.intoArray(v, vOff + i, k);
            }
        });
    }
}
