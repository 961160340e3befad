package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The micro-kernel against a naive reference in double and against itself (in place, into C, through the tile
 * buffer), for the running vector species: on x86 the suite runs again under {@code -XX:UseAVX=2} (8 lanes, the
 * fenced steps) and with 4 lanes; {@link GemmTest} covers the packed GEMM end to end.
 */
class GemmKernelTest {

    @FunctionalInterface
    interface Tile {
        void run(int kc, float[] ap, int aOff, float[] bp, int bOff, float alpha, float beta, float[] c, int cOff, int ldc);
    }

    @ParameterizedTest(name = "kc={0}")
    @CsvSource({"1", "7", "13", "256"})
    void tileMatchesNaiveReference(int kc) {
        int rows = GemmKernel.MR;
        Tile kernel = GemmKernel::tile;
        int nr = GemmKernel.NR;
        SplittableRandom rnd = new SplittableRandom(rows * 1000L + kc);
        int aOff = 3, bOff = 5; // the panels need not start at 0
        float[] ap = random(rnd, aOff + rows * kc), bp = random(rnd, bOff + nr * kc);
        float[] tile = new float[rows * nr + 1];
        tile[rows * nr] = 7f;
        kernel.run(kc, ap, aOff, bp, bOff, 1f, 0f, tile, 0, nr);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < nr; j++) {
                double sum = 0, mag = 0;
                for (int p = 0; p < kc; p++) {
                    double x = (double) ap[aOff + p * rows + r] * bp[bOff + p * nr + j];
                    sum += x;
                    mag += Math.abs(x);
                }
                assertThat((double) tile[r * nr + j]).as("tile[%d][%d]", r, j).isCloseTo(sum, org.assertj.core.api.Assertions.within(2e-7 * (kc + 4) * mag + 1e-30));
            }
        }
        assertThat(tile[rows * nr]).as("past the tile").isEqualTo(7f);
    }

    /** Written straight into C: scaled by alpha, beta times C added, the same bits as the tile buffer and merge. */
    @ParameterizedTest(name = "alpha={0} beta={1}")
    @CsvSource({"1,0", "1,1", "-0.5,0.75"})
    void tileIntoCEqualsBufferThenMerge(float alpha, float beta) {
        int rows = GemmKernel.MR;
        Tile kernel = GemmKernel::tile;
        int nr = GemmKernel.NR, kc = 37, ldc = nr + 5, cOff = 3;
        SplittableRandom rnd = new SplittableRandom(rows + 17L);
        float[] ap = random(rnd, rows * kc), bp = random(rnd, nr * kc);
        float[] c = random(rnd, cOff + rows * ldc + 2), want = c.clone(), tile = new float[rows * nr];
        if (beta == 0f) for (int r = 0; r < rows; r++) java.util.Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + nr, Float.NaN);
        kernel.run(kc, ap, 0, bp, 0, alpha, beta, c, cOff, ldc);
        kernel.run(kc, ap, 0, bp, 0, 1f, 0f, tile, 0, nr);
        GemmKernel.merge(tile, rows, nr, alpha, beta, want, cOff, ldc);
        for (int i = 0; i < c.length; i++) {
            assertThat(Float.floatToRawIntBits(c[i])).as("c[%d] = %s, want %s", i, c[i], want[i]).isEqualTo(Float.floatToRawIntBits(want[i]));
        }
    }

    /** A read in place from its rows gives the bits of the packed panel it would have been copied into. */
    @ParameterizedTest(name = "kc={0} alpha={1} beta={2}")
    @CsvSource({"1,1,0", "13,1,1", "256,-0.5,0.75"})
    void tileOnRowsInPlaceEqualsTileOnPackedPanel(int kc, float alpha, float beta) {
        int nr = GemmKernel.NR, lda = kc + 7, aAt = 5, ldc = nr + 2;
        SplittableRandom rnd = new SplittableRandom(kc * 31L + 3);
        float[] a = random(rnd, aAt + 5 * lda + kc), bp = random(rnd, nr * kc), ap = new float[6 * kc];
        for (int r = 0; r < 6; r++) for (int p = 0; p < kc; p++) ap[p * 6 + r] = a[aAt + r * lda + p];
        float[] c = random(rnd, 6 * ldc), want = c.clone();
        GemmKernel.tileRows(kc, a, aAt, lda, bp, 0, alpha, beta, c, 0, ldc);
        GemmKernel.tile(kc, ap, 0, bp, 0, alpha, beta, want, 0, ldc);
        for (int i = 0; i < c.length; i++) {
            assertThat(Float.floatToRawIntBits(c[i])).as("c[%d] = %s, want %s", i, c[i], want[i]).isEqualTo(Float.floatToRawIntBits(want[i]));
        }
    }

    @Test
    void mergeWritesOnlyTheCornerScaledAndAccumulated() {
        int nr = GemmKernel.NR, ldc = nr + 3, mr = GemmKernel.MR - 1, cols = nr - 1;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] tile = random(rnd, GemmKernel.MR * nr);
        float[] c = random(rnd, 2 + GemmKernel.MR * ldc);
        float[] c0 = c.clone();
        GemmKernel.merge(tile, mr, cols, 0.5f, -2f, c, 2, ldc);
        for (int i = 0; i < c.length; i++) {
            int r = (i - 2) / ldc, j = (i - 2) % ldc;
            boolean inside = i >= 2 && r < mr && j < cols;
            float want = inside ? Math.fma(-2f, c0[i], 0.5f * tile[r * nr + j]) : c0[i];
            assertThat(c[i]).as("c[%d]", i).isEqualTo(want);
        }
    }

    /** The tile is two vectors wide; under the AVX2 execution the JVM gives 8 lanes, and only there are the steps fenced. */
    @Test
    void tileShapeFollowsTheSpecies() {
        assertThat(GemmKernel.NR).isEqualTo(2 * GemmKernel.VL);
        assertThat(GemmKernel.FENCED).isEqualTo(GemmKernel.VL == 8);
        assertThat(GemmBlocked.MC % GemmKernel.MR).isZero();
        Integer lanes = Integer.getInteger("wanka.expectLanes");
        if (lanes != null) assertThat(GemmKernel.VL).as("floats per vector under this JVM's flags").isEqualTo(lanes);
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        return x;
    }
}
