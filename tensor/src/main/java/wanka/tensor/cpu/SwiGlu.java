package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SwiGLU gate of the TeleChat2 MLP: {@code h = silu(g) * u} with {@code silu(g) = g * sigmoid(g)},
 * over {@code [rows, cols]}. Each operand is an (array, offset, row stride) triple, so gate and up
 * may live in one fused buffer. Outputs may alias inputs element for element (same offset and
 * stride); every element is read before it is written.
 */
public final class SwiGlu {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 13; // elements per parallel chunk, at least

    private SwiGlu() {
    }

    /** {@code h = silu(g) * u}. */
    public static void forward(CpuPool pool, int rows, int cols,
                               float[] g, int gOff, int gStride, float[] u, int uOff, int uStride,
                               float[] h, int hOff, int hStride) {
        checkDims(rows, cols);
        KernelChecks.rows("g", g, gOff, rows, cols, gStride);
        KernelChecks.rows("u", u, uOff, rows, cols, uStride);
        KernelChecks.rows("h", h, hOff, rows, cols, hStride);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int go = gOff + r * gStride;
                int uo = uOff + r * uStride;
                int ho = hOff + r * hStride;
                for (int j = 0; j < cols; j += S.length()) {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    FloatVector gv = FloatVector.fromArray(S, g, go + j, m);
                    FloatVector uv = FloatVector.fromArray(S, u, uo + j, m);
                    FloatVector sig = sigmoid(gv);
                    gv.mul(sig).mul(uv).intoArray(h, ho + j, m);
                }
            }
        });
    }

    /**
     * Backward: overwrites {@code dg = dh * u * sigmoid(g) * (1 + g * (1 - sigmoid(g)))} and
     * {@code du = dh * silu(g)}.
     */
    public static void backward(CpuPool pool, int rows, int cols,
                                float[] g, int gOff, int gStride, float[] u, int uOff, int uStride,
                                float[] dh, int dhOff, int dhStride,
                                float[] dg, int dgOff, int dgStride, float[] du, int duOff, int duStride) {
        checkDims(rows, cols);
        KernelChecks.rows("g", g, gOff, rows, cols, gStride);
        KernelChecks.rows("u", u, uOff, rows, cols, uStride);
        KernelChecks.rows("dh", dh, dhOff, rows, cols, dhStride);
        KernelChecks.rows("dg", dg, dgOff, rows, cols, dgStride);
        KernelChecks.rows("du", du, duOff, rows, cols, duStride);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int go = gOff + r * gStride;
                int uo = uOff + r * uStride;
                int dho = dhOff + r * dhStride;
                int dgo = dgOff + r * dgStride;
                int duo = duOff + r * duStride;
                for (int j = 0; j < cols; j += S.length()) {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    FloatVector gv = FloatVector.fromArray(S, g, go + j, m);
                    FloatVector uv = FloatVector.fromArray(S, u, uo + j, m);
                    FloatVector dhv = FloatVector.fromArray(S, dh, dho + j, m);
                    FloatVector sig = sigmoid(gv);
                    FloatVector silu = gv.mul(sig);
                    // d silu / dg = sig * (1 + g * (1 - sig)) = sig + silu * (1 - sig)
                    FloatVector dsilu = silu.fma(sig.neg().add(1f), sig);
                    FloatVector dgv = dhv.mul(uv).mul(dsilu);
                    FloatVector duv = dhv.mul(silu);
                    dgv.intoArray(dg, dgo + j, m);
                    duv.intoArray(du, duo + j, m);
                }
            }
        });
    }

    /** 1 / (1 + e^-g); saturates cleanly to 0 and 1. */
    private static FloatVector sigmoid(FloatVector g) {
        return FloatVector.broadcast(S, 1f).div(KernelMath.exp(g.neg()).add(1f));
    }

    private static void checkDims(int rows, int cols) {
        KernelChecks.atLeast("rows", rows, 0);
        KernelChecks.atLeast("cols", cols, 1);
    }
}
