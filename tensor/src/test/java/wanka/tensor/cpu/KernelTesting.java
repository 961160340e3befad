package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/** Shared helpers for the kernel tests: random data, tolerant comparisons, finite differences. */
final class KernelTesting {
    /** Row counts and widths every kernel is checked on (edge, odd and prime sizes). */
    static final int[] ROWS = {1, 3, 17};
    static final int[] WIDTHS = {1, 7, 16, 33, 64, 130, 1376};

    private KernelTesting() {
    }

    /** Uniform values in [-scale, scale). */
    static float[] uniform(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Asserts {@code |actual[i] - expected[i]| <= atol + rtol * |expected[i]|} for every i. */
    static void assertClose(String what, float[] actual, double[] expected, double rtol, double atol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                throw new AssertionError(what + "[" + i + "]: got " + actual[i] + ", expected " + expected[i] + " (error " + err + ")");
            }
        }
    }

    /** As {@link #assertClose(String, float[], double[], double, double)} for double results. */
    static void assertClose(String what, double[] actual, double[] expected, double rtol, double atol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                throw new AssertionError(what + "[" + i + "]: got " + actual[i] + ", expected " + expected[i] + " (error " + err + ")");
            }
        }
    }

    /**
     * Central finite-difference gradient of {@code f} with respect to every element of {@code x}
     * (perturbed in place and restored), step {@code h}.
     */
    static double[] numericGradient(double[] x, double h, ToDoubleFunction<double[]> f) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = f.applyAsDouble(x);
            x[i] = keep - h;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** {@code sum(a * b)} in double. */
    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
