package wanka.tensor.cpu;

/**
 * The operands of one {@link Gemm#sgemm} call, already validated: row-major storage with offsets and
 * leading dimensions, as in BLAS. {@code op(A)[i][p]} is {@code a[aOff + i*lda + p]}, or
 * {@code a[aOff + p*lda + i]} when {@code transA}; likewise for B. C is never transposed.
 */
record GemmArgs(boolean transA, boolean transB, float alpha,
                float[] a, int aOff, int lda,
                float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc) {

    /** Element {@code op(A)[i][p]}. */
    float opA(int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }
}
