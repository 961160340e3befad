package wanka.tensor.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The operands of one {@link Gemm#sgemm} call, already validated: row-major storage with offsets and
 * leading dimensions, as in BLAS. {@code op(A)[i][p]} is {@code a[aOff + i*lda + p]}, or
 * {@code a[aOff + p*lda + i]} when {@code transA}; likewise for B. C is never transposed.
 *
 * <p>B may instead live in a segment ({@code bSeg} non-null, {@code b} null; only with {@code transB}):
 * {@code op(B)[p][j]} is then the little-endian F32 or BF16 ({@code bf16}) element at byte
 * {@code bSegOff + (j*ldb + p) * elementBytes}.
 */
record GemmArgs(boolean transA, boolean transB, float alpha,
                float[] a, int aOff, int lda,
                float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc,
                MemorySegment bSeg, long bSegOff, boolean bf16) {

    /** Operands with B in a float array. */
    GemmArgs(boolean transA, boolean transB, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
             float beta, float[] c, int cOff, int ldc) {
        this(transA, transB, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, 0, false);
    }

    /** The same call on the columns {@code j0 ...} of op(B) and C: B's and C's offsets moved, A unchanged. */
    GemmArgs fromColumn(int j0) {
        int bShift = transB ? j0 * ldb : j0;
        long segShift = bSeg == null ? 0 : (long) j0 * ldb * SegmentLoads.elementBytes(bf16);
        return new GemmArgs(transA, transB, alpha, a, aOff, lda, b, b == null ? bOff : bOff + bShift, ldb,
                beta, c, cOff + j0, ldc, bSeg, bSegOff + segShift, bf16);
    }

    /** The same call on the rows {@code i0 ...} of op(A) and C: A's and C's offsets moved, B unchanged. */
    GemmArgs fromRow(int i0) {
        return new GemmArgs(transA, transB, alpha, a, transA ? aOff + i0 : aOff + i0 * lda, lda, b, bOff, ldb,
                beta, c, cOff + i0 * ldc, ldc, bSeg, bSegOff, bf16);
    }

    /** Element {@code op(A)[i][p]}. */
    float opA(int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** Byte offset in {@code bSeg} of stored row {@code j} of B (column j of op(B)), element {@code p}. */
    long bSegAt(int j, int p) {
        return bSegOff + ((long) j * ldb + p) * SegmentLoads.elementBytes(bf16);
    }
}
