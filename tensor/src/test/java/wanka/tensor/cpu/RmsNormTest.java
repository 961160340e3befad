package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RmsNormTest {
    private static final float EPS = 1e-5f;
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

    // ---- naive double reference ----

    static double[] refForward(double[] x, double[] w, int rows, int d, double eps) {
        double[] y = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < d; j++) ss += x[r * d + j] * x[r * d + j];
            double rstd = 1 / Math.sqrt(ss / d + eps);
            for (int j = 0; j < d; j++) y[r * d + j] = x[r * d + j] * rstd * w[j];
        }
        return y;
    }

    /** Returns {dx, dw}. */
    static double[][] refBackward(double[] x, double[] w, double[] dy, int rows, int d, double eps) {
        double[] dx = new double[rows * d];
        double[] dw = new double[d];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < d; j++) ss += x[r * d + j] * x[r * d + j];
            double rstd = 1 / Math.sqrt(ss / d + eps);
            double dot = 0;
            for (int j = 0; j < d; j++) dot += dy[r * d + j] * w[j] * x[r * d + j];
            for (int j = 0; j < d; j++) {
                dx[r * d + j] = rstd * dy[r * d + j] * w[j] - x[r * d + j] * rstd * rstd * rstd * dot / d;
                dw[j] += dy[r * d + j] * x[r * d + j] * rstd;
            }
        }
        return new double[][] {dx, dw};
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(1);
        int rows = 3, d = 5;
        double[] x = toDouble(uniform(rnd, rows * d, 1));
        double[] w = toDouble(uniform(rnd, d, 1));
        double[] probe = toDouble(uniform(rnd, rows * d, 1));
        double[][] grads = refBackward(x, w, probe, rows, d, EPS);
        assertClose("dx", grads[0], numericGradient(x, 1e-6, xx -> dot(refForward(xx, w, rows, d, EPS), probe)), 1e-6, 1e-8);
        assertClose("dw", grads[1], numericGradient(w, 1e-6, ww -> dot(refForward(x, ww, rows, d, EPS), probe)), 1e-6, 1e-8);
    }

    @Test
    void kernelMatchesReferenceOnAllShapes() {
        Random rnd = new Random(2);
        for (int rows : ROWS) {
            for (int d : WIDTHS) {
                check(rnd, rows, d);
            }
        }
        check(rnd, 64, 1376); // large enough to split across two threads
    }

    private void check(Random rnd, int rows, int d) {
        float[] x = uniform(rnd, rows * d, 2);
        float[] w = uniform(rnd, d, 1.5);
        float[] dy = uniform(rnd, rows * d, 1);
        float[] dw0 = uniform(rnd, d, 1); // dw accumulates onto existing values
        double[] yRef = refForward(toDouble(x), toDouble(w), rows, d, EPS);
        double[][] gRef = refBackward(toDouble(x), toDouble(w), toDouble(dy), rows, d, EPS);
        double[] dwRef = gRef[1].clone();
        for (int j = 0; j < d; j++) dwRef[j] += dw0[j];

        float[][] out1 = run(one, rows, d, x, w, dy, dw0);
        float[][] out2 = run(two, rows, d, x, w, dy, dw0);
        String shape = " [" + rows + "x" + d + "]";
        assertClose("y" + shape, out1[0], yRef, 2e-6, 2e-6);
        assertClose("dx" + shape, out1[2], gRef[0], 1e-5, 1e-5);
        assertClose("dw" + shape, out1[3], dwRef, 1e-5, 1e-5 * rows);
        for (int k = 0; k < out1.length; k++) assertThat(out2[k]).as("1 vs 2 threads, output %d%s", k, shape).isEqualTo(out1[k]);
    }

    /** Returns {y, rstd, dx, dw}. */
    private static float[][] run(CpuPool pool, int rows, int d, float[] x, float[] w, float[] dy, float[] dw0) {
        int pad = 3; // non-zero offsets everywhere
        float[] xb = shift(x, pad), wb = shift(w, pad), dyb = shift(dy, pad), dwb = shift(dw0, pad);
        float[] yb = new float[pad + rows * d], rstd = new float[pad + rows], dxb = new float[pad + rows * d];
        RmsNorm.forward(pool, rows, d, EPS, xb, pad, wb, pad, yb, pad, rstd, pad);
        RmsNorm.backward(pool, rows, d, xb, pad, wb, pad, rstd, pad, dyb, pad, dxb, pad, dwb, pad);
        return new float[][] {unshift(yb, pad), unshift(rstd, pad), unshift(dxb, pad), unshift(dwb, pad)};
    }

    @Test
    void dxMayAliasDy() {
        Random rnd = new Random(3);
        int rows = 5, d = 33;
        float[] x = uniform(rnd, rows * d, 1), w = uniform(rnd, d, 1), dy = uniform(rnd, rows * d, 1);
        float[] rstd = new float[rows], y = new float[rows * d];
        RmsNorm.forward(one, rows, d, EPS, x, 0, w, 0, y, 0, rstd, 0);
        float[] dx = new float[rows * d], dw = new float[d], dwAliased = new float[d];
        RmsNorm.backward(one, rows, d, x, 0, w, 0, rstd, 0, dy, 0, dx, 0, dw, 0);
        float[] inPlace = dy.clone();
        RmsNorm.backward(one, rows, d, x, 0, w, 0, rstd, 0, inPlace, 0, inPlace, 0, dwAliased, 0);
        assertThat(inPlace).isEqualTo(dx);
        assertThat(dwAliased).isEqualTo(dw);
    }

    @Test
    void rejectsBadArguments() {
        float[] a = new float[8];
        assertThatThrownBy(() -> RmsNorm.forward(one, 2, 4, EPS, a, 0, a, 0, a, 0, new float[1], 0))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("rstd");
        assertThatThrownBy(() -> RmsNorm.forward(one, 3, 4, EPS, a, 0, a, 0, new float[12], 0, new float[3], 0))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("x");
        assertThatThrownBy(() -> RmsNorm.forward(one, 1, 0, EPS, a, 0, a, 0, a, 0, a, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d");
    }

    static float[] shift(float[] a, int pad) {
        float[] b = new float[pad + a.length];
        System.arraycopy(a, 0, b, pad, a.length);
        return b;
    }

    static float[] unshift(float[] a, int pad) {
        return java.util.Arrays.copyOfRange(a, pad, a.length);
    }
}
