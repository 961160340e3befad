package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SwiGluTest {
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

    static double silu(double g) {
        return g / (1 + Math.exp(-g));
    }

    static double[] refForward(double[] g, double[] u) {
        double[] h = new double[g.length];
        for (int i = 0; i < g.length; i++) h[i] = silu(g[i]) * u[i];
        return h;
    }

    /** Returns {dg, du}. */
    static double[][] refBackward(double[] g, double[] u, double[] dh) {
        double[] dg = new double[g.length], du = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double s = 1 / (1 + Math.exp(-g[i]));
            dg[i] = dh[i] * u[i] * (s + g[i] * s * (1 - s));
            du[i] = dh[i] * silu(g[i]);
        }
        return new double[][] {dg, du};
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(7);
        double[] g = toDouble(uniform(rnd, 12, 6)), u = toDouble(uniform(rnd, 12, 2)), probe = toDouble(uniform(rnd, 12, 1));
        double[][] grads = refBackward(g, u, probe);
        assertClose("dg", grads[0], numericGradient(g, 1e-6, gg -> dot(refForward(gg, u), probe)), 1e-7, 1e-9);
        assertClose("du", grads[1], numericGradient(u, 1e-6, uu -> dot(refForward(g, uu), probe)), 1e-7, 1e-9);
    }

    @Test
    void kernelMatchesReferenceOnAllShapes() {
        Random rnd = new Random(8);
        for (int rows : ROWS) {
            for (int cols : WIDTHS) check(rnd, rows, cols, 8);
        }
        check(rnd, 64, 1376, 8);
        check(rnd, 5, 130, 120); // saturated sigmoid, both signs
    }

    /** g and u live interleaved in one fused buffer [rows, 2*cols + 3]; outputs have their own strides. */
    private void check(Random rnd, int rows, int cols, double gScale) {
        int inStride = 2 * cols + 3;
        float[] gu = uniform(rnd, 1 + rows * inStride, 2);
        double[] g = new double[rows * cols], u = new double[rows * cols], dh = new double[rows * cols];
        float[] dhBuf = uniform(rnd, 2 + rows * (cols + 1), 1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                gu[1 + r * inStride + j] = (float) ((rnd.nextDouble() * 2 - 1) * gScale);
                g[r * cols + j] = gu[1 + r * inStride + j];
                u[r * cols + j] = gu[1 + r * inStride + cols + j];
                dh[r * cols + j] = dhBuf[2 + r * (cols + 1) + j];
            }
        }
        double[] hRef = refForward(g, u);
        double[][] gradRef = refBackward(g, u, dh);
        float[][][] out = new float[2][][];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            float[] h = new float[rows * cols], dg = new float[rows * cols], du = new float[3 + rows * cols];
            SwiGlu.forward(pools[k], rows, cols, gu, 1, inStride, gu, 1 + cols, inStride, h, 0, cols);
            SwiGlu.backward(pools[k], rows, cols, gu, 1, inStride, gu, 1 + cols, inStride, dhBuf, 2, cols + 1,
                    dg, 0, cols, du, 3, cols);
            out[k] = new float[][] {h, dg, java.util.Arrays.copyOfRange(du, 3, du.length)};
        }
        String shape = " [" + rows + "x" + cols + "]";
        assertClose("h" + shape, out[0][0], hRef, 1e-6, 1e-6);
        assertClose("dg" + shape, out[0][1], gradRef[0], 1e-5, 1e-6);
        assertClose("du" + shape, out[0][2], gradRef[1], 1e-6, 1e-6);
        for (int i = 0; i < 3; i++) assertThat(out[1][i]).as("1 vs 2 threads, output %d%s", i, shape).isEqualTo(out[0][i]);
    }

    @Test
    void gradientsMayOverwriteInputsInPlace() {
        Random rnd = new Random(9);
        int rows = 3, cols = 33;
        float[] g = uniform(rnd, rows * cols, 4), u = uniform(rnd, rows * cols, 1), dh = uniform(rnd, rows * cols, 1);
        float[] dg = new float[g.length], du = new float[g.length];
        SwiGlu.backward(one, rows, cols, g, 0, cols, u, 0, cols, dh, 0, cols, dg, 0, cols, du, 0, cols);
        float[] gi = g.clone(), ui = u.clone();
        SwiGlu.backward(one, rows, cols, gi, 0, cols, ui, 0, cols, dh, 0, cols, gi, 0, cols, ui, 0, cols);
        assertThat(gi).isEqualTo(dg);
        assertThat(ui).isEqualTo(du);
    }
}
