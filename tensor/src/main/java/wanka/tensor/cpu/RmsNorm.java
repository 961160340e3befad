package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * RMSNorm over contiguous rows {@code [rows, d]}: {@code y = x * rsqrt(mean(x^2) + eps) * w}
 * (TeleChat2 pre-norm: weight only, no bias). The sum of squares is accumulated in float lanes and
 * summed across lanes in double, in a fixed order, so results do not depend on the thread count.
 */
public final class RmsNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 14; // elements per parallel chunk, at least
    private static final int ROW_BLOCK = 64; // rows summed together before joining the running dw sum

    private RmsNorm() {
    }

    /**
     * Forward pass. Writes {@code y[rows, d]} and the per-row reciprocal RMS {@code rstd[rows]}
     * (needed by {@link #backward}). {@code y} may alias {@code x}.
     */
    public static void forward(CpuPool pool, int rows, int d, float eps,
                               float[] x, int xOff, float[] w, int wOff,
                               float[] y, int yOff, float[] rstd, int rOff) {
        checkDims(rows, d);
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        KernelChecks.rows("x", x, xOff, rows, d, d);
        KernelChecks.range("w", w, wOff, d);
        KernelChecks.rows("y", y, yOff, rows, d, d);
        KernelChecks.range("rstd", rstd, rOff, rows);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / d), (from, to) -> {
            float[] lanes = new float[S.length()];
            for (int r = from; r < to; r++) {
                forwardRow(d, eps, x, xOff + r * d, w, wOff, y, yOff + r * d, rstd, rOff + r, lanes);
            }
        });
    }

    /**
     * Backward pass. Overwrites {@code dx[rows, d]} and ACCUMULATES {@code dw[d] += sum over rows of
     * dy * x * rstd}. {@code dx} may alias {@code dy}. The weight gradient is summed per column in
     * a fixed row order (columns are split across threads), so it is bitwise independent of the
     * thread count.
     */
    public static void backward(CpuPool pool, int rows, int d,
                                float[] x, int xOff, float[] w, int wOff, float[] rstd, int rOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff) {
        checkDims(rows, d);
        KernelChecks.rows("x", x, xOff, rows, d, d);
        KernelChecks.range("w", w, wOff, d);
        KernelChecks.range("rstd", rstd, rOff, rows);
        KernelChecks.rows("dy", dy, dyOff, rows, d, d);
        KernelChecks.rows("dx", dx, dxOff, rows, d, d);
        KernelChecks.range("dw", dw, dwOff, d);
        // dw first: it reads dy, which dx may overwrite.
        int colGrain = S.length() * Math.max(1, WORK_GRAIN / S.length() / Math.max(1, rows));
        pool.parallelFor(d, colGrain, (from, to) -> weightGrad(rows, d, x, xOff, rstd, rOff, dy, dyOff, dw, dwOff, from, to));
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / d), (from, to) -> {
            float[] lanes = new float[S.length()];
            for (int r = from; r < to; r++) {
                inputGradRow(d, x, xOff + r * d, w, wOff, rstd[rOff + r], dy, dyOff + r * d, dx, dxOff + r * d, lanes);
            }
        });
    }

    private static void forwardRow(int d, float eps, float[] x, int xo, float[] w, int wo,
                                   float[] y, int yo, float[] rstd, int ro, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < d; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, d);
            FloatVector v = FloatVector.fromArray(S, x, xo + j, m);
            acc = v.fma(v, acc);
        }
        double mean = KernelMath.sumLanes(acc, lanes) / d;
        float r = (float) (1.0 / Math.sqrt(mean + eps));
        rstd[ro] = r;
        for (int j = 0; j < d; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, d);
            FloatVector v = FloatVector.fromArray(S, x, xo + j, m);
            FloatVector wv = FloatVector.fromArray(S, w, wo + j, m);
            v.mul(r).mul(wv).intoArray(y, yo + j, m);
        }
    }

    /** dx = r * (dy*w) - x * (r^3 * sum(dy*w*x) / d). */
    private static void inputGradRow(int d, float[] x, int xo, float[] w, int wo, float r,
                                     float[] dy, int dyo, float[] dx, int dxo, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < d; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, d);
            FloatVector g = FloatVector.fromArray(S, dy, dyo + j, m).mul(FloatVector.fromArray(S, w, wo + j, m));
            acc = g.fma(FloatVector.fromArray(S, x, xo + j, m), acc);
        }
        double rd = r;
        float k = (float) (rd * rd * rd * KernelMath.sumLanes(acc, lanes) / d);
        for (int j = 0; j < d; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, d);
            FloatVector g = FloatVector.fromArray(S, dy, dyo + j, m).mul(FloatVector.fromArray(S, w, wo + j, m));
            FloatVector xv = FloatVector.fromArray(S, x, xo + j, m);
            xv.fma(FloatVector.broadcast(S, -k), g.mul(r)).intoArray(dx, dxo + j, m);
        }
    }

    /** dw[j] += sum_r dy[r,j] * (x[r,j] * rstd[r]) for columns [from, to), rows in order. */
    private static void weightGrad(int rows, int d, float[] x, int xOff, float[] rstd, int rOff,
                                   float[] dy, int dyOff, float[] dw, int dwOff, int from, int to) {
        for (int j = from; j < to; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, to);
            FloatVector total = FloatVector.zero(S);
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                FloatVector block = FloatVector.zero(S);
                for (int r = r0, rEnd = Math.min(rows, r0 + ROW_BLOCK); r < rEnd; r++) {
                    FloatVector xhat = FloatVector.fromArray(S, x, xOff + r * d + j, m).mul(rstd[rOff + r]);
                    block = FloatVector.fromArray(S, dy, dyOff + r * d + j, m).fma(xhat, block);
                }
                total = total.add(block);
            }
            FloatVector.fromArray(S, dw, dwOff + j, m).add(total).intoArray(dw, dwOff + j, m);
        }
    }

    private static void checkDims(int rows, int d) {
        KernelChecks.atLeast("rows", rows, 0);
        KernelChecks.atLeast("d", d, 1);
    }
}
