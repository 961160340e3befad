package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RopeTest {
    private static CpuPool one;
    private static CpuPool two;

    @BeforeAll
    static void pools() {
        one = CpuPool.ofThreads(1);
        two = CpuPool.ofThreads(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    // ---- the table against telechat2.md section 1.3 (training_seqlen = base_seqlen = 8192, base 10000, dim 128) ----

    @Test
    void ntkAlphaBaseAndMscaleMatchTheDocumentedTable() {
        int[][] alphaByLength = {{1, 1}, {4096, 1}, {8192, 1}, {8193, 3}, {16384, 3}, {16385, 7}, {32768, 7}, {32769, 15}, {65536, 15}};
        for (int[] row : alphaByLength) {
            assertThat(RopeTable.ntkAlpha(row[0], 8192, 8192)).as("alpha at L=%d", row[0]).isEqualTo(row[1]);
        }
        assertThat(RopeTable.ntkBase(128, 8192, 8192, 8192, 10000)).isEqualTo(10000.0);
        assertThat(RopeTable.ntkBase(128, 12000, 8192, 8192, 10000)).isCloseTo(30527.7, within(0.05));
        assertThat(RopeTable.ntkBase(128, 20000, 8192, 8192, 10000)).isCloseTo(72195.9, within(0.05));
        assertThat(RopeTable.ntkBase(128, 40000, 8192, 8192, 10000)).isCloseTo(156588, within(0.5));
        assertThat(RopeTable.mscale(100, 8192)).isEqualTo(1.0);
        assertThat(RopeTable.mscale(8192, 8192)).isEqualTo(1.0);
        assertThat(RopeTable.mscale(16384, 8192)).isCloseTo(1.0693147180559945, within(1e-15));
        assertThat(RopeTable.mscale(12000, 8192)).isCloseTo(0.1 * Math.log(12000 / 8192.0) + 1, within(1e-15));
    }

    @Test
    void tableHoldsScaledCosSinOfTheNtkFrequencies() {
        int hd = 128;
        // L <= 8192: plain RoPE, theta = 10000, no mscale.
        checkTable(RopeTable.telechat2(hd, 300, 8192, 8192, 10000), 10000, 1.0, 1e-6);
        // L = 12000: base 30527.7 (documented to 0.1, so angles only match to ~p * 2e-6).
        RopeTable t = RopeTable.telechat2(hd, 12000, 8192, 8192, 10000);
        assertThat(t.length()).isEqualTo(12000);
        checkTable(t, 30527.7, 0.1 * Math.log(12000 / 8192.0) + 1, 2e-3);
        // Exactly, with the base from the formula, at every position.
        double exactBase = 10000 * Math.pow(3, 128.0 / 126);
        checkTable(t, exactBase, 0.1 * Math.log(12000 / 8192.0) + 1, 1e-6);
    }

    private static void checkTable(RopeTable t, double base, double mscale, double tol) {
        int hd = t.headDim(), half = hd / 2;
        int maxPos = tol > 1e-4 ? Math.min(t.length(), 200) : t.length();
        for (int p = 0; p < maxPos; p += (p < 200 ? 1 : 97)) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(base, -2.0 * i / hd);
                int at = p * hd + i;
                for (int k : new int[] {at, at + half}) {
                    if (Math.abs(t.cos()[k] - mscale * Math.cos(angle)) > tol || Math.abs(t.sin()[k] - mscale * Math.sin(angle)) > tol) {
                        throw new AssertionError("table at pos " + p + " index " + (k - p * hd) + ": cos " + t.cos()[k] + " sin " + t.sin()[k]
                                + ", expected " + mscale * Math.cos(angle) + " " + mscale * Math.sin(angle));
                    }
                }
            }
        }
    }

    // ---- naive double reference on a dense [tokens, heads, hd] block with general cos/sin ----

    static double[] refForward(double[] x, double[] cos, double[] sin, int[] pos, int heads, int hd) {
        int half = hd / 2;
        double[] y = new double[x.length];
        for (int t = 0; t < pos.length; t++) {
            for (int h = 0; h < heads; h++) {
                int b = (t * heads + h) * hd;
                int c = pos[t] * hd;
                for (int i = 0; i < hd; i++) {
                    double rot = i < half ? -x[b + i + half] : x[b + i - half]; // rotate_half = cat(-x2, x1)
                    y[b + i] = x[b + i] * cos[c + i] + rot * sin[c + i];
                }
            }
        }
        return y;
    }

    static double[] refBackward(double[] dy, double[] cos, double[] sin, int[] pos, int heads, int hd) {
        int half = hd / 2;
        double[] dx = new double[dy.length];
        for (int t = 0; t < pos.length; t++) {
            for (int h = 0; h < heads; h++) {
                int b = (t * heads + h) * hd;
                int c = pos[t] * hd;
                for (int i = 0; i < hd; i++) {
                    dx[b + i] += dy[b + i] * cos[c + i];
                    // y[j] gets x[i] * sin[j] * (+1 if i < half, j = i + half; -1 if i >= half, j = i - half)
                    if (i < half) dx[b + i] += dy[b + i + half] * sin[c + i + half];
                    else dx[b + i] -= dy[b + i - half] * sin[c + i - half];
                }
            }
        }
        return dx;
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(4);
        int heads = 2, hd = 6;
        int[] pos = {2, 0, 1};
        double[] cos = toDouble(uniform(rnd, 3 * hd, 1)), sin = toDouble(uniform(rnd, 3 * hd, 1)); // general, halves differ
        double[] x = toDouble(uniform(rnd, pos.length * heads * hd, 1));
        double[] probe = toDouble(uniform(rnd, x.length, 1));
        assertClose("dx", refBackward(probe, cos, sin, pos, heads, hd),
                numericGradient(x, 1e-6, xx -> dot(refForward(xx, cos, sin, pos, heads, hd), probe)), 1e-7, 1e-9);
    }

    @Test
    void kernelMatchesReferenceOnInterleavedKeyValueRows() {
        Random rnd = new Random(5);
        int[] headDims = {2, 8, 14, 32, 66, 128};
        for (int tokens : ROWS) {
            for (int hd : headDims) check(rnd, tokens, 3, hd, true);
        }
        check(rnd, 64, 4, 128, true); // splits across threads
        check(rnd, 64, 4, 128, false);
    }

    /** Rotates the K parts of [k0, v0, k1, v1, ...] rows (plus row padding), checks V untouched. */
    private void check(Random rnd, int tokens, int heads, int hd, boolean explicitPositions) {
        int len = 200;
        RopeTable table = new RopeTable(hd, len, uniform(rnd, len * hd, 1.1), uniform(rnd, len * hd, 1.1));
        int[] pos = new int[tokens + 2];
        int start = rnd.nextInt(len - tokens);
        for (int t = 0; t < pos.length; t++) pos[t] = explicitPositions ? rnd.nextInt(len) : start + t - 2;
        int rowStride = heads * 2 * hd + 5, off = 7;
        float[] buf = uniform(rnd, off + tokens * rowStride, 1);
        double[] dense = new double[tokens * heads * hd];
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < hd; i++) dense[(t * heads + h) * hd + i] = buf[off + t * rowStride + h * 2 * hd + i];
        int[] tokenPos = java.util.Arrays.copyOfRange(pos, 2, pos.length);
        double[] cos = toDouble(table.cos()), sin = toDouble(table.sin());
        double[] yRef = refForward(dense, cos, sin, tokenPos, heads, hd);
        double[] dxRef = refBackward(dense, cos, sin, tokenPos, heads, hd);

        float[][] fwd = new float[2][], bwd = new float[2][];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            fwd[k] = buf.clone();
            bwd[k] = buf.clone();
            if (explicitPositions) {
                Rope.forward(pools[k], table, fwd[k], off, tokens, rowStride, heads, 2 * hd, pos, 2);
                Rope.backward(pools[k], table, bwd[k], off, tokens, rowStride, heads, 2 * hd, pos, 2);
            } else {
                Rope.forward(pools[k], table, fwd[k], off, tokens, rowStride, heads, 2 * hd, start);
                Rope.backward(pools[k], table, bwd[k], off, tokens, rowStride, heads, 2 * hd, start);
            }
        }
        String shape = " [" + tokens + " tokens, " + heads + "x" + hd + "]";
        assertClose("forward" + shape, gatherK(fwd[0], off, tokens, rowStride, heads, hd), yRef, 1e-6, 1e-6);
        assertClose("backward" + shape, gatherK(bwd[0], off, tokens, rowStride, heads, hd), dxRef, 1e-6, 1e-6);
        assertThat(fwd[1]).as("forward 1 vs 2 threads" + shape).isEqualTo(fwd[0]);
        assertThat(bwd[1]).as("backward 1 vs 2 threads" + shape).isEqualTo(bwd[0]);
        for (float[] out : new float[][] {fwd[0], bwd[0]}) { // V halves, padding and prefix untouched
            for (int i = 0; i < buf.length; i++) {
                int rel = i - off;
                boolean isK = rel >= 0 && rel % rowStride < heads * 2 * hd && rel % rowStride % (2 * hd) < hd;
                if (!isK) assertThat(out[i]).as("untouched element %d%s", i, shape).isEqualTo(buf[i]);
            }
        }
    }

    private static float[] gatherK(float[] buf, int off, int tokens, int rowStride, int heads, int hd) {
        float[] k = new float[tokens * heads * hd];
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < heads; h++)
                System.arraycopy(buf, off + t * rowStride + h * 2 * hd, k, (t * heads + h) * hd, hd);
        return k;
    }

    @Test
    void forwardThenBackwardIsIdentityWithoutMscale() {
        // Without mscale the rotation is orthogonal: its transpose undoes it.
        Random rnd = new Random(6);
        RopeTable table = RopeTable.telechat2(64, 50, 8192, 8192, 10000);
        float[] x = uniform(rnd, 10 * 2 * 64, 1);
        float[] y = x.clone();
        Rope.forward(one, table, y, 0, 10, 2 * 64, 2, 64, 40);
        Rope.backward(one, table, y, 0, 10, 2 * 64, 2, 64, 40);
        assertClose("round trip", y, toDouble(x), 1e-6, 1e-6);
    }

    @Test
    void rejectsPositionsOutsideTheTable() {
        RopeTable table = RopeTable.telechat2(8, 4, 8, 8, 10000);
        float[] x = new float[16];
        assertThatThrownBy(() -> Rope.forward(one, table, x, 0, 2, 8, 1, 8, new int[] {0, 4}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions[1] = 4");
        assertThatThrownBy(() -> Rope.forward(one, table, x, 0, 2, 8, 1, 8, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startPos 3");
        assertThatThrownBy(() -> Rope.forward(one, table, x, 0, 2, 16, 2, 8, 0))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("x");
    }
}
