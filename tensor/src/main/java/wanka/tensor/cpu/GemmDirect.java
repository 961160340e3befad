package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.S;
import static wanka.tensor.cpu.GemmKernel.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The unpacked GEMM path for small or thin problems (decode matrix-vector products, m = 1, n = 1,
 * tiny k) where packing would cost more than it saves. Rows of op(B) are streamed as vector AXPYs when
 * B is not transposed and wide; otherwise each element of C is a vector dot product of a row of op(A)
 * with a column of op(B), copied to a contiguous scratch row where the storage is strided.
 */
final class GemmDirect {

    private GemmDirect() {
    }

    /** Computes {@code C[i0:i1, j0:j1] = alpha*op(A)op(B) + beta*C} for {@code k >= 1}. */
    static void compute(GemmArgs g, int i0, int i1, int j0, int j1, int k) {
        if (i1 <= i0 || j1 <= j0) return;
        if (!g.transB() && j1 - j0 >= VL) axpyRows(g, i0, i1, j0, j1, k);
        else dotRows(g, i0, i1, j0, j1, k);
    }

    /** C row i = beta*C row i + sum_p (alpha*op(A)[i][p]) * B row p. */
    private static void axpyRows(GemmArgs g, int i0, int i1, int j0, int j1, int k) {
        float[] b = g.b(), c = g.c();
        int n = j1 - j0;
        int nv = n - n % VL;
        for (int i = i0; i < i1; i++) {
            int row = g.cOff() + i * g.ldc() + j0;
            scale(c, row, n, g.beta());
            for (int p = 0; p < k; p++) {
                float s = g.alpha() * g.opA(i, p);
                int src = g.bOff() + p * g.ldb() + j0;
                FloatVector sv = FloatVector.broadcast(S, s);
                int j = 0;
                for (; j < nv; j += VL) {
                    sv.fma(FloatVector.fromArray(S, b, src + j), FloatVector.fromArray(S, c, row + j))
                            .intoArray(c, row + j);
                }
                for (; j < n; j++) c[row + j] = Math.fma(s, b[src + j], c[row + j]);
            }
        }
    }

    /** C[i][j] = alpha * dot(op(A) row i, op(B) column j) + beta*C[i][j]. */
    private static void dotRows(GemmArgs g, int i0, int i1, int j0, int j1, int k) {
        if (g.bSeg() != null) {
            dotRowsSegment(g, i0, i1, j0, j1, k);
            return;
        }
        float[] c = g.c();
        // op(B) column j is b[bCol + j*bStride + p] for p in [0, k).
        float[] bCols = g.b();
        int bCol = g.bOff(), bStride = g.ldb();
        if (!g.transB()) { // strided columns: gather the few (< VL or so) needed ones once
            int n = j1 - j0;
            bCols = new float[n * k];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) bCols[j * k + p] = g.b()[g.bOff() + p * g.ldb() + j0 + j];
            }
            bCol = -j0 * k;
            bStride = k;
        }
        float[] aRow = g.transA() ? new float[k] : g.a();
        for (int i = i0; i < i1; i++) {
            int aStart;
            if (g.transA()) {
                for (int p = 0; p < k; p++) aRow[p] = g.a()[g.aOff() + p * g.lda() + i];
                aStart = 0;
            } else {
                aStart = g.aOff() + i * g.lda();
            }
            int row = g.cOff() + i * g.ldc();
            for (int j = j0; j < j1; j++) {
                float v = g.alpha() * dot(aRow, aStart, bCols, bCol + j * bStride, k);
                c[row + j] = g.beta() == 0f ? v : Math.fma(g.beta(), c[row + j], v);
            }
        }
    }

    /** {@link #dotRows} with B (transposed) in a segment: column j of op(B) is stored row j. */
    private static void dotRowsSegment(GemmArgs g, int i0, int i1, int j0, int j1, int k) {
        float[] c = g.c();
        float[] aRow = g.transA() ? new float[k] : g.a();
        for (int i = i0; i < i1; i++) {
            int aStart;
            if (g.transA()) {
                for (int p = 0; p < k; p++) aRow[p] = g.a()[g.aOff() + p * g.lda() + i];
                aStart = 0;
            } else {
                aStart = g.aOff() + i * g.lda();
            }
            int row = g.cOff() + i * g.ldc();
            for (int j = j0; j < j1; j++) {
                float v = g.alpha() * dot(aRow, aStart, g.bSeg(), g.bSegAt(j, 0), g.bf16(), k);
                c[row + j] = g.beta() == 0f ? v : Math.fma(g.beta(), c[row + j], v);
            }
        }
    }

    /**
     * {@link #dot(float[], int, float[], int, int)} with y the k elements (F32 or BF16, widened) at byte {@code yo} of a
     * segment: the same lanes and order of sums, so the same result as on a widened copy.
     */
    static float dot(float[] x, int xo, java.lang.foreign.MemorySegment y, long yo, boolean bf16, int k) {
        return bf16 ? dotBf16(x, xo, y, yo, k) : dotF32(x, xo, y, yo, k);
    }

    private static float dotF32(float[] x, int xo, java.lang.foreign.MemorySegment y, long yo, int k) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int p = 0;
        for (; p <= k - 2 * VL; p += 2 * VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(SegmentLoads.load(y, yo + 4L * p, false), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + p + VL).fma(SegmentLoads.load(y, yo + 4L * (p + VL), false), acc1);
        }
        if (p <= k - VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(SegmentLoads.load(y, yo + 4L * p, false), acc0);
            p += VL;
        }
        float s = KernelMath.addLanesInOrder(acc0.add(acc1));
        for (; p < k; p++) s = Math.fma(x[xo + p], y.get(SegmentLoads.F32_LE, yo + 4L * p), s);
        return s;
    }

    private static float dotBf16(float[] x, int xo, java.lang.foreign.MemorySegment y, long yo, int k) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int p = 0;
        for (; p <= k - 2 * VL; p += 2 * VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(SegmentLoads.load(y, yo + 2L * p, true), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + p + VL).fma(SegmentLoads.load(y, yo + 2L * (p + VL), true), acc1);
        }
        if (p <= k - VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(SegmentLoads.load(y, yo + 2L * p, true), acc0);
            p += VL;
        }
        float s = KernelMath.addLanesInOrder(acc0.add(acc1));
        for (; p < k; p++) s = Math.fma(x[xo + p], SegmentLoads.get(y, yo + 2L * p, true), s);
        return s;
    }

    /** Vector dot product of x[xo : xo+k] and y[yo : yo+k]. */
    static float dot(float[] x, int xo, float[] y, int yo, int k) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int p = 0;
        for (; p <= k - 2 * VL; p += 2 * VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(FloatVector.fromArray(S, y, yo + p), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + p + VL).fma(FloatVector.fromArray(S, y, yo + p + VL), acc1);
        }
        if (p <= k - VL) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(FloatVector.fromArray(S, y, yo + p), acc0);
            p += VL;
        }
        float s = KernelMath.addLanesInOrder(acc0.add(acc1)); // fixed order: JIT-independent
        for (; p < k; p++) s = Math.fma(x[xo + p], y[yo + p], s);
        return s;
    }

    /** c[off : off+n] *= beta, writing zeros (without reading) when beta is 0. */
    static void scale(float[] c, int off, int n, float beta) {
        if (beta == 1f) return;
        if (beta == 0f) {
            java.util.Arrays.fill(c, off, off + n, 0f);
        } else {
            for (int j = 0; j < n; j++) c[off + j] *= beta;
        }
    }
}
