package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Differential tests of {@link Gemm#sgemm} against a naive triple loop computed in double. */
class GemmTest {

    private static final float PAD = 12345f;

    /** Shapes m, n, k: edges, primes, tile ± 1 (MR=6 or 4, NR=32 or 16, KC=256, MC=144, NC=4096 or 2048), both code paths. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 13}, {7, 1, 13}, {13, 31, 1}, {1, 97, 31}, {97, 1, 31}, {2, 3, 5},
        {7, 13, 31}, {31, 97, 13}, {5, 33, 17}, {6, 32, 16},               // unpacked path
        {48, 64, 64}, {47, 33, 257}, {37, 31, 97}, {97, 97, 13}, {12, 64, 96}, {11, 65, 255},
        {145, 31, 29}, {143, 40, 25}, {9, 4099, 9},                         // packed path, one thread
        {150, 97, 70}, {13, 4099, 31}, {98, 127, 129},                     // packed, two threads (thin C: columns split)
        {256, 64, 600}, {40, 200, 530}, {301, 70, 260},                    // two threads, several k slices, uneven row blocks
        {20, 4200, 300}, {7, 4100, 40},                                    // two threads, two column blocks (last one partial)
        {1, 3000, 400}, {300, 5, 700}, {3, 2000, 200},                     // unpacked, split
        {1300, 40, 300},                                                   // one thread, transposed A: several groups of row blocks
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                for (int threads : new int[] {1, 2}) out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, threads));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} threads={5}")
    @MethodSource("cases")
    void matchesNaiveReference(int m, int n, int k, boolean transA, boolean transB, int threads) {
        long seed = 31L * m + 1009L * n + 7919L * k + (transA ? 1 : 0) + (transB ? 2 : 0);
        try (CpuPool pool = CpuPool.ofThreads(threads)) {
            check(pool, m, n, k, transA, transB, 1f, 0f, seed);
            check(pool, m, n, k, transA, transB, -0.5f, 1f, seed + 1);
            check(pool, m, n, k, transA, transB, 1.25f, 0.75f, seed + 2);
        }
    }

    /** Runs one sgemm with random offsets and padded leading dimensions and compares with the reference. */
    private static void check(CpuPool pool, int m, int n, int k, boolean transA, boolean transB,
                              float alpha, float beta, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + rnd.nextInt(4), ldb = bCols + rnd.nextInt(4), ldc = n + rnd.nextInt(4);
        int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5), cOff = rnd.nextInt(5);
        float[] a = random(rnd, aOff + aRows * lda);
        float[] b = random(rnd, bOff + bRows * ldb);
        float[] c = new float[cOff + m * ldc + 3];
        Arrays.fill(c, PAD);
        float[] c0 = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = beta == 0f ? Float.NaN : (float) rnd.nextDouble(-1, 1);
                c[cOff + i * ldc + j] = v;
                c0[i * n + j] = v;
            }
        }

        Gemm.sgemm(pool, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += x * y;
                    mag += Math.abs(x * y);
                }
                double prev = beta == 0f ? 0 : (double) beta * c0[i * n + j];
                double want = alpha * sum + prev;
                double tol = 2e-7 * (k + 10) * (Math.abs(alpha) * mag + Math.abs(prev)) + 1e-30;
                float got = c[cOff + i * ldc + j];
                if (!(Math.abs(got - want) <= tol)) {
                    throw new AssertionError("C[" + i + "][" + j + "] = " + got + ", want " + want + " ± " + tol
                            + " (m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta + ")");
                }
            }
        }
        for (int idx = 0; idx < c.length; idx++) { // nothing outside the m×n window is touched
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) assertThat(c[idx]).as("padding c[%d]", idx).isEqualTo(PAD);
        }
    }

    /**
     * With 16-float vectors A not transposed is read in place unless its rows are a multiple of 4 KiB apart
     * ({@link GemmBlocked#readsAInPlace}): the same op(A) stored with both leading dimensions gives the same bits, through
     * partial last panels (m % 6), partial column tiles (n % 32), several k slices and both two-thread roads.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transB={3} threads={4}")
    @CsvSource({"145,70,300,false,1", "145,70,300,true,2", "301,97,600,false,2", "40,44,300,true,2", "13,4099,31,false,2", "600,600,600,true,1"})
    void aInPlaceGivesTheBitsOfPackedA(int m, int n, int k, boolean transB, int threads) {
        SplittableRandom rnd = new SplittableRandom(m * 3L + n * 5L + k);
        int ldaPacked = GemmBlocked.ALIASING_LDA, ldaInPlace = GemmBlocked.ALIASING_LDA + 3;
        float[] a = random(rnd, (m - 1) * ldaInPlace + k), b = random(rnd, k * n), aPacked = new float[(m - 1) * ldaPacked + k];
        for (int i = 0; i < m; i++) System.arraycopy(a, i * ldaInPlace, aPacked, i * ldaPacked, k);
        int ldb = transB ? k : n;
        float[] c0 = random(rnd, m * n);
        float[] inPlace = c0.clone(), packed = c0.clone();
        try (CpuPool pool = CpuPool.ofThreads(threads)) {
            Gemm.sgemm(pool, false, transB, m, n, k, 0.75f, a, 0, ldaInPlace, b, 0, ldb, -1.5f, inPlace, 0, n);
            Gemm.sgemm(pool, false, transB, m, n, k, 0.75f, aPacked, 0, ldaPacked, b, 0, ldb, -1.5f, packed, 0, n);
        }
        GemmArgs inPlaceArgs = new GemmArgs(false, transB, 1f, a, 0, ldaInPlace, b, 0, ldb, 0f, inPlace, 0, n);
        assertThat(GemmBlocked.readsAInPlace(inPlaceArgs)).isEqualTo(GemmBlocked.A_IN_PLACE);
        assertThat(GemmBlocked.readsAInPlace(new GemmArgs(false, transB, 1f, aPacked, 0, ldaPacked, b, 0, ldb, 0f, packed, 0, n))).isFalse();
        assertThat(GemmBlocked.readsAInPlace(new GemmArgs(true, transB, 1f, a, 0, ldaInPlace, b, 0, ldb, 0f, inPlace, 0, n))).isFalse();
        for (int i = 0; i < inPlace.length; i++) {
            assertThat(Float.floatToRawIntBits(inPlace[i])).as("c[%d] = %s, packed A gave %s", i, inPlace[i], packed[i])
                    .isEqualTo(Float.floatToRawIntBits(packed[i]));
        }
    }

    /**
     * Shapes for the bitwise check: thin C, several k slices, uneven blocks, a partial column block; 40×44 stays on
     * the shared-slices road on two threads with every vector width (4, 8 and 16 lanes).
     */
    private static final int[][] DETERMINISM_SHAPES = {{256, 512, 700}, {301, 70, 260}, {20, 4200, 300}, {1000, 96, 513}, {60, 100, 300},
        {40, 44, 300}};

    /** Both roads of the packed path on two threads are among those shapes: C cut between the workers, and shared slices. */
    @Test
    void determinismShapesCoverBothTwoThreadRoads() {
        assertThat(Arrays.stream(DETERMINISM_SHAPES).filter(s -> GemmBlocked.splits(s[0], s[1], 2)).count()).isGreaterThanOrEqualTo(2);
        assertThat(Arrays.stream(DETERMINISM_SHAPES).filter(s -> !GemmBlocked.splits(s[0], s[1], 2)).count()).isGreaterThanOrEqualTo(1);
        assertThat(GemmBlocked.splits(256, 512, 2)).as("wide C: cut by columns").isTrue();
        assertThat(GemmBlocked.splits(2048, 96, 2)).as("tall C: cut by rows").isTrue();
    }

    static Stream<Arguments> determinismCases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : DETERMINISM_SHAPES) {
            for (int t = 0; t < 4; t++) out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
        }
        return out.stream();
    }

    /**
     * The packed path cuts work differently for 1 and 2 threads and hands items out dynamically;
     * C must come out bitwise the same regardless (K is never split across threads).
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("determinismCases")
    void resultIsBitwiseIndependentOfThreadsAndScheduling(int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(m * 7L + n * 13L + k);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c0 = random(rnd, m * n);
        float[] want = c0.clone();
        try (CpuPool one = CpuPool.ofThreads(1)) {
            Gemm.sgemm(one, transA, transB, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, 1f, want, 0, n);
        }
        try (CpuPool two = CpuPool.ofThreads(2)) {
            for (int rep = 0; rep < 5; rep++) {
                float[] got = c0.clone();
                Gemm.sgemm(two, transA, transB, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, 1f, got, 0, n);
                for (int i = 0; i < got.length; i++) {
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                        throw new AssertionError("rep " + rep + ": C[" + i / n + "][" + i % n + "] = " + got[i]
                                + " with 2 threads, " + want[i] + " with 1");
                    }
                }
            }
        }
    }

    @Test
    void gridCutsEqualWholePanelBlocksInMultiplesOfTheThreads() {
        for (int m : new int[] {6, 40, 256, 512, 2048, 2050, 32000}) {
            for (int nc : new int[] {32, 256, 512, 1376, 4096}) {
                for (int threads : new int[] {1, 2, 3, 4}) {
                    GemmBlocked.Grid g = GemmBlocked.grid(m, nc, threads);
                    String what = "m=" + m + " nc=" + nc + " threads=" + threads + " " + g;
                    assertThat(g.rowStart(0)).as(what).isZero();
                    assertThat(g.rowStart(g.mBlocks())).as(what).isGreaterThanOrEqualTo(m).isLessThan(m + GemmKernel.MR);
                    assertThat(g.colStart(g.nSplit())).as(what).isGreaterThanOrEqualTo(nc).isLessThan(nc + GemmKernel.NR);
                    for (int b = 0; b < g.mBlocks(); b++) {
                        int rows = g.rowStart(b + 1) - g.rowStart(b);
                        assertThat(rows).as(what).isPositive().isLessThanOrEqualTo(g.maxBlockRows());
                        assertThat(g.maxBlockRows() - rows).as(what).isLessThanOrEqualTo(GemmKernel.MR);
                    }
                    for (int s = 0; s < g.nSplit(); s++) assertThat(g.colStart(s + 1)).as(what).isGreaterThan(g.colStart(s));
                    if (threads > 1 && g.mBlocks() * g.nSplit() >= threads) {
                        boolean canBalance = g.mBlocks() < g.mPanels() || g.nSplit() < g.nPanels();
                        if (canBalance) assertThat(g.items() % threads).as(what).isZero();
                    }
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        return x;
    }

    @Test
    void alphaZeroOnlyScalesCAndDoesNotReadAOrB() {
        float[] a = new float[6], b = new float[6];
        Arrays.fill(a, Float.NaN);
        Arrays.fill(b, Float.NaN);
        float[] c = {1, 2, 3, 4};
        try (CpuPool pool = CpuPool.ofThreads(1)) {
            Gemm.sgemm(pool, false, false, 2, 2, 3, 0f, a, 0, 3, b, 0, 2, 0.5f, c, 0, 2);
        }
        assertThat(c).containsExactly(0.5f, 1f, 1.5f, 2f);
    }

    @Test
    void emptyDepthWithBetaZeroClearsC() {
        float[] c = {Float.NaN, Float.NaN, Float.NaN, 7f};
        try (CpuPool pool = CpuPool.ofThreads(1)) {
            Gemm.sgemm(pool, false, true, 1, 3, 0, 1f, new float[0], 0, 0, new float[0], 0, 0, 0f, c, 0, 3);
        }
        assertThat(c).containsExactly(0f, 0f, 0f, 7f);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        try (CpuPool pool = CpuPool.ofThreads(1)) {
            float[] x = new float[100];
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, 4, 4, 5, 1f, x, 0, 4, x, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda (4) < k (5)");
            assertThatThrownBy(() -> Gemm.sgemm(pool, true, false, 4, 4, 5, 1f, x, 0, 3, x, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda (3) < m (4)");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, true, 4, 4, 5, 1f, x, 0, 5, x, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldb (4) < k (5)");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, 4, 4, 5, 1f, x, 0, 5, x, 0, 4, 0f, x, 0, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldc (3) < n (4)");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, -1, 4, 5, 1f, x, 0, 5, x, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m must be >= 0");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, 4, 4, 5, 1f, x, 90, 5, x, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A stored 4x5");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, 4, 4, 5, 1f, x, 0, 5, null, 0, 4, 0f, x, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("B array is null");
            assertThatThrownBy(() -> Gemm.sgemm(pool, false, false, 4, 4, 5, 1f, x, 0, 5, x, 0, 4, 0f, x, -1, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("C offset");
        }
    }
}
