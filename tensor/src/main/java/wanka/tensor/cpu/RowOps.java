package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise and element-wise helpers: bias add and its backward, add, axpy, scale, and a
 * deterministic sum of squares for global-norm gradient clipping. Every reduction runs in a fixed
 * order, so results are bitwise independent of the thread count.
 */
public final class RowOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 14; // elements per parallel chunk, at least
    private static final int ROW_BLOCK = 64; // rows summed together before joining the running column sum
    private static final int SUM_BLOCK = 1 << 12; // elements per partial sum in sumOfSquares

    private RowOps() {
    }

    /** {@code x[r, c] += bias[c]} over contiguous rows {@code [rows, cols]}. */
    public static void addBias(CpuPool pool, float[] x, int xOff, int rows, int cols, float[] bias, int bOff) {
        checkDims(rows, cols);
        KernelChecks.rows("x", x, xOff, rows, cols, cols);
        KernelChecks.range("bias", bias, bOff, cols);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = xOff + r * cols;
                for (int j = 0; j < cols; j += S.length()) {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    FloatVector.fromArray(S, x, xo + j, m).add(FloatVector.fromArray(S, bias, bOff + j, m))
                            .intoArray(x, xo + j, m);
                }
            }
        });
    }

    /**
     * Bias backward: ACCUMULATES the column sums of {@code dy[rows, cols]} into {@code db[cols]}.
     * Each column is summed in row order (blocks of 64 rows, then across blocks); columns are split
     * across threads, so the result is independent of the thread count.
     */
    public static void addColumnSums(CpuPool pool, float[] dy, int dyOff, int rows, int cols, float[] db, int dbOff) {
        checkDims(rows, cols);
        KernelChecks.rows("dy", dy, dyOff, rows, cols, cols);
        KernelChecks.range("db", db, dbOff, cols);
        int colGrain = S.length() * Math.max(1, WORK_GRAIN / S.length() / Math.max(1, rows));
        pool.parallelFor(cols, colGrain, (from, to) -> {
            for (int j = from; j < to; j += S.length()) {
                VectorMask<Float> m = S.indexInRange(j, to);
                FloatVector total = FloatVector.zero(S);
                for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                    FloatVector block = FloatVector.zero(S);
                    for (int r = r0, rEnd = Math.min(rows, r0 + ROW_BLOCK); r < rEnd; r++) {
                        block = block.add(FloatVector.fromArray(S, dy, dyOff + r * cols + j, m));
                    }
                    total = total.add(block);
                }
                FloatVector.fromArray(S, db, dbOff + j, m).add(total).intoArray(db, dbOff + j, m);
            }
        });
    }

    /** {@code out[i] = a[i] + b[i]} for {@code len} elements; {@code out} may alias {@code a} or {@code b}. */
    public static void add(CpuPool pool, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int len) {
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("a", a, aOff, len);
        KernelChecks.range("b", b, bOff, len);
        KernelChecks.range("out", out, outOff, len);
        pool.parallelFor(len, WORK_GRAIN, (from, to) -> {
            for (int i = from; i < to; i += S.length()) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector.fromArray(S, a, aOff + i, m).add(FloatVector.fromArray(S, b, bOff + i, m))
                        .intoArray(out, outOff + i, m);
            }
        });
    }

    /** {@code y[i] += alpha * x[i]} for {@code len} elements (one fused multiply-add each). */
    public static void axpy(CpuPool pool, float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("x", x, xOff, len);
        KernelChecks.range("y", y, yOff, len);
        pool.parallelFor(len, WORK_GRAIN, (from, to) -> {
            FloatVector av = FloatVector.broadcast(S, alpha);
            for (int i = from; i < to; i += S.length()) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector.fromArray(S, x, xOff + i, m).fma(av, FloatVector.fromArray(S, y, yOff + i, m))
                        .intoArray(y, yOff + i, m);
            }
        });
    }

    /** {@code a[i] *= s} for {@code len} elements. */
    public static void scale(CpuPool pool, float[] a, int off, int len, float s) {
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("a", a, off, len);
        pool.parallelFor(len, WORK_GRAIN, (from, to) -> {
            for (int i = from; i < to; i += S.length()) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector.fromArray(S, a, off + i, m).mul(s).intoArray(a, off + i, m);
            }
        });
    }

    /** Single-threaded {@link #sumOfSquares(CpuPool, float[], int, int)}; same result bit for bit. */
    public static double sumOfSquares(float[] a, int off, int len) {
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("a", a, off, len);
        float[] lanes = new float[S.length()];
        double total = 0;
        for (int b = 0; b < len; b += SUM_BLOCK) total += blockSumOfSquares(a, off + b, Math.min(SUM_BLOCK, len - b), lanes);
        return total;
    }

    /**
     * Sum of {@code a[i]^2} over {@code len} elements, for global gradient-norm clipping. Fixed
     * blocks of 4096 elements are summed in float lanes, each block's lanes in double, and the block
     * sums in double in block order: the result does not depend on the thread count.
     */
    public static double sumOfSquares(CpuPool pool, float[] a, int off, int len) {
        KernelChecks.atLeast("len", len, 0);
        KernelChecks.range("a", a, off, len);
        int blocks = (len + SUM_BLOCK - 1) / SUM_BLOCK;
        if (pool.threads() == 1 || blocks < 2) return sumOfSquares(a, off, len);
        double[] partial = new double[blocks];
        pool.parallelFor(blocks, (from, to) -> {
            float[] lanes = new float[S.length()];
            for (int b = from; b < to; b++) {
                int start = b * SUM_BLOCK;
                partial[b] = blockSumOfSquares(a, off + start, Math.min(SUM_BLOCK, len - start), lanes);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    private static double blockSumOfSquares(float[] a, int off, int len, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < len; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector v = FloatVector.fromArray(S, a, off + i, m);
            acc = v.fma(v, acc);
        }
        return KernelMath.sumLanes(acc, lanes);
    }

    private static void checkDims(int rows, int cols) {
        KernelChecks.atLeast("rows", rows, 0);
        KernelChecks.atLeast("cols", cols, 1);
    }
}
