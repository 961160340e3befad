package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RowOpsTest {
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

    @Test
    void biasBackwardOfReferenceMatchesFiniteDifferences() {
        Random rnd = new Random(16);
        int rows = 3, cols = 4;
        double[] x = toDouble(uniform(rnd, rows * cols, 1)), b = toDouble(uniform(rnd, cols, 1)), probe = toDouble(uniform(rnd, rows * cols, 1));
        double[] colSums = new double[cols];
        for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) colSums[j] += probe[r * cols + j];
        assertClose("db", colSums, numericGradient(b, 1e-6, bb -> {
            double s = 0;
            for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) s += (x[r * cols + j] + bb[j]) * probe[r * cols + j];
            return s;
        }), 1e-8, 1e-9);
    }

    @Test
    void biasForwardAndBackwardMatchReference() {
        Random rnd = new Random(17);
        for (int rows : ROWS) for (int cols : WIDTHS) checkBias(rnd, rows, cols);
        checkBias(rnd, 300, 130);
    }

    private void checkBias(Random rnd, int rows, int cols) {
        float[] x = uniform(rnd, 2 + rows * cols, 1), b = uniform(rnd, 1 + cols, 1), dy = uniform(rnd, 3 + rows * cols, 1);
        float[] db0 = uniform(rnd, cols, 1);
        double[] yRef = new double[rows * cols], dbRef = toDouble(db0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                yRef[r * cols + j] = (double) x[2 + r * cols + j] + b[1 + j];
                dbRef[j] += dy[3 + r * cols + j];
            }
        }
        float[][] y = new float[2][], db = new float[2][];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            y[k] = x.clone();
            db[k] = db0.clone();
            RowOps.addBias(pools[k], y[k], 2, rows, cols, b, 1);
            RowOps.addColumnSums(pools[k], dy, 3, rows, cols, db[k], 0);
        }
        String shape = " [" + rows + "x" + cols + "]";
        assertClose("x + bias" + shape, RmsNormTest.unshift(y[0], 2), yRef, 1e-7, 0);
        assertClose("db" + shape, db[0], dbRef, 1e-6, 1e-6 * rows);
        assertThat(y[1]).isEqualTo(y[0]);
        assertThat(db[1]).as("db 1 vs 2 threads" + shape).isEqualTo(db[0]);
    }

    @Test
    void elementwiseOpsMatchReference() {
        Random rnd = new Random(18);
        for (int len : new int[] {0, 1, 7, 33, 1376, 50_000}) {
            float[] a = uniform(rnd, len + 1, 1), b = uniform(rnd, len + 2, 1);
            double[] sum = new double[len], axpy = new double[len], scaled = new double[len];
            for (int i = 0; i < len; i++) {
                sum[i] = (double) a[1 + i] + b[2 + i];
                axpy[i] = b[2 + i] + 0.37 * a[1 + i];
                scaled[i] = a[1 + i] * -1.5;
            }
            for (CpuPool pool : new CpuPool[] {one, two}) {
                float[] out = new float[len];
                RowOps.add(pool, a, 1, b, 2, out, 0, len);
                assertClose("add", out, sum, 1e-7, 0);
                float[] y = b.clone();
                RowOps.axpy(pool, 0.37f, a, 1, y, 2, len);
                assertClose("axpy", RmsNormTest.unshift(y, 2), axpy, 1e-6, 1e-7);
                float[] s = a.clone();
                RowOps.scale(pool, s, 1, len, -1.5f);
                assertClose("scale", RmsNormTest.unshift(s, 1), scaled, 1e-7, 0);
            }
        }
    }

    @Test
    void sumOfSquaresIsAccurateAndThreadIndependent() {
        Random rnd = new Random(19);
        for (int len : new int[] {0, 1, 7, 130, 4096, 4097, 100_003}) {
            float[] a = uniform(rnd, len + 5, 3);
            double ref = 0;
            for (int i = 0; i < len; i++) ref += (double) a[5 + i] * a[5 + i];
            double single = RowOps.sumOfSquares(a, 5, len);
            assertThat(single).as("len %d", len).isCloseTo(ref, within(1e-6 * ref + 1e-12));
            assertThat(RowOps.sumOfSquares(one, a, 5, len)).isEqualTo(single);
            assertThat(RowOps.sumOfSquares(two, a, 5, len)).as("2 threads, len %d", len).isEqualTo(single);
        }
    }
}
