package wanka.tensor.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision general matrix multiply on row-major arrays, with BLAS semantics.
 *
 * <p>Large problems run a packed, cache-blocked algorithm ({@link GemmBlocked}) whose inner loop is
 * a register-tiled Vector API micro-kernel ({@link GemmKernel}; its tile shape follows the vector species:
 * 6×32 floats with 512-bit vectors, 6×16 with 256-bit ones, whose steps are cut by compiler-only fences to fit
 * AVX2's 16 registers; with 512-bit vectors the tile reads A not transposed in place, unpacked); several threads each compute their own part of C, cut along its longer side
 * (or, for many threads on a small C, share each packed block of op(B) and claim blocks of rows and columns
 * dynamically). Small or thin problems (m·n·k small, decode
 * matrix-vector products) run an unpacked vector path ({@link GemmDirect}). Holds no state: calls
 * writing disjoint C may run concurrently (each call allocates its own pack buffers).
 */
public final class Gemm {

    /** Below this m·n·k the unpacked path is used; packing would not pay for itself. */
    static final long PACK_MIN_WORK = 1L << 16;
    /** Smallest m, n and k the packed path is used for. */
    static final int PACK_MIN_DIM = 8;
    /** Below this m·n·k a call runs on the calling thread only. */
    static final long PARALLEL_MIN_WORK = 1L << 20;

    private Gemm() {
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C; op(A) is M×K, op(B) is K×N, C is M×N. beta==0 means C is
     * not read (may hold NaN).
     *
     * <p>Row-major: A not transposed is M×K with {@code A[i][p] = a[aOff + i*lda + p]}; transposed, A
     * is stored K×M and {@code op(A)[i][p] = a[aOff + p*lda + i]}. B likewise (K×N, or N×K stored
     * when transposed). {@code C[i][j] = c[cOff + i*ldc + j]}. When alpha is 0 or k is 0, A and B are
     * not read and C is only scaled by beta.
     *
     * @param pool threads to run on; the calling thread takes part
     * @throws IllegalArgumentException naming the argument when a dimension is negative, a leading
     *     dimension is smaller than its row length, an offset is negative, or an array is too short
     */
    public static void sgemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
                             float[] c, int cOff, int ldc) {
        if (pool == null) throw new IllegalArgumentException("pool is null");
        requireNonNegative("m", m);
        requireNonNegative("n", n);
        requireNonNegative("k", k);
        checkMatrix("A", a, aOff, "lda", lda, transA ? k : m, transA ? m : k, transA ? "m" : "k");
        checkMatrix("B", b, bOff, "ldb", ldb, transB ? n : k, transB ? k : n, transB ? "k" : "n");
        checkMatrix("C", c, cOff, "ldc", ldc, m, n, "n");
        run(pool, new GemmArgs(transA, transB, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc), m, n, k);
    }

    /**
     * As {@link #sgemm(CpuPool, boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}
     * with B read in place from a read-only segment (a memory-mapped weight) of little-endian F32 or BF16
     * elements: B is stored N×K ({@code transB} must be true, the {@code x·Wᵀ} of a linear layer) and
     * {@code op(B)[p][j]} is the element at byte {@code bOffsetBytes + (j*ldb + p) * (bf16 ? 2 : 4)}. BF16 is
     * widened exactly to FP32 while B is packed or streamed, so the result equals, bit for bit, that of the
     * float[] overload on the widened values (same packing, kernels and order of sums).
     *
     * <p>The segment must be readable from the pool's threads (a shared, global or automatic arena, as file mappings are).
     *
     * @throws IllegalArgumentException as the float[] overload, or if {@code transB} is false or the segment is too short
     */
    public static void sgemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, MemorySegment b, long bOffsetBytes, int ldb, boolean bf16,
                             float beta, float[] c, int cOff, int ldc) {
        if (pool == null) throw new IllegalArgumentException("pool is null");
        if (!transB) throw new IllegalArgumentException("a segment B must be transposed (stored N×K, as a weight W in x·Wᵀ)");
        requireNonNegative("m", m);
        requireNonNegative("n", n);
        requireNonNegative("k", k);
        checkMatrix("A", a, aOff, "lda", lda, transA ? k : m, transA ? m : k, transA ? "m" : "k");
        if (b == null) throw new IllegalArgumentException("B segment is null");
        if (bOffsetBytes < 0) throw new IllegalArgumentException("B offset must be >= 0, got " + bOffsetBytes);
        if (ldb < k) throw new IllegalArgumentException("ldb (" + ldb + ") < k (" + k + ") for B stored " + n + "x" + k);
        if (n > 0 && k > 0) {
            long need = bOffsetBytes + ((long) (n - 1) * ldb + k) * SegmentLoads.elementBytes(bf16);
            if (need > b.byteSize()) {
                throw new IllegalArgumentException("B stored " + n + "x" + k + " (" + (bf16 ? "BF16" : "F32") + ") with ldb=" + ldb
                        + " at byte " + bOffsetBytes + " needs " + need + " bytes, segment has " + b.byteSize());
            }
        }
        checkMatrix("C", c, cOff, "ldc", ldc, m, n, "n");
        run(pool, new GemmArgs(transA, true, alpha, a, aOff, lda, null, 0, ldb, beta, c, cOff, ldc, b, bOffsetBytes, bf16), m, n, k);
    }

    /** Runs a validated call: the packed path for large problems, the unpacked one (maybe split over threads) otherwise. */
    private static void run(CpuPool pool, GemmArgs g, int m, int n, int k) {
        float[] c = g.c();
        int cOff = g.cOff(), ldc = g.ldc();
        float beta = g.beta();
        if (m == 0 || n == 0) return;
        if (k == 0 || g.alpha() == 0f) {
            for (int i = 0; i < m; i++) GemmDirect.scale(c, cOff + i * ldc, n, beta);
            return;
        }
        long work = (long) m * n * k;
        int threads = work < PARALLEL_MIN_WORK ? 1 : pool.threads();
        boolean packed = work >= PACK_MIN_WORK && m >= PACK_MIN_DIM && n >= PACK_MIN_DIM && k >= PACK_MIN_DIM;
        if (packed) {
            GemmBlocked.compute(pool, threads, g, m, n, k);
        } else if (threads == 1) {
            GemmDirect.compute(g, 0, m, 0, n, k);
        } else if (m >= threads) {
            pool.parallelFor(m, 1, (i0, i1) -> GemmDirect.compute(g, i0, i1, 0, n, k));
        } else {
            pool.parallelFor(n, 4 * GemmKernel.VL, (j0, j1) -> GemmDirect.compute(g, 0, m, j0, j1, k));
        }
    }

    private static void requireNonNegative(String name, int v) {
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + v);
    }

    /** Checks a stored rows×cols matrix: leading dimension, offset and array length. */
    private static void checkMatrix(String name, float[] arr, int off, String ldName, int ld, int rows, int cols,
                                    String colsName) {
        if (arr == null) throw new IllegalArgumentException(name + " array is null");
        if (off < 0) throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        if (ld < cols) {
            throw new IllegalArgumentException(ldName + " (" + ld + ") < " + colsName + " (" + cols + ") for "
                    + name + " stored " + rows + "x" + cols);
        }
        if (rows > 0 && cols > 0) {
            long need = off + (long) (rows - 1) * ld + cols;
            if (need > arr.length) {
                throw new IllegalArgumentException(name + " stored " + rows + "x" + cols + " with " + ldName + "=" + ld
                        + " at offset " + off + " needs " + need + " floats, array has " + arr.length);
            }
        }
    }
}
