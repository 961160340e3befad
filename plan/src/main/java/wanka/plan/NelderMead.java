package wanka.plan;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.ToDoubleFunction;

/** The Nelder–Mead simplex minimiser (standard coefficients 1, 2, 0.5, 0.5), for the few calibration constants. */
final class NelderMead {
    private NelderMead() {
    }

    /** Minimises {@code f} from {@code x0} with an initial simplex step {@code step}, for at most {@code iterations}. */
    static double[] minimize(ToDoubleFunction<double[]> f, double[] x0, double step, int iterations) {
        int n = x0.length;
        double[][] pts = new double[n + 1][];
        double[] val = new double[n + 1];
        pts[0] = x0.clone();
        for (int i = 0; i < n; i++) {
            pts[i + 1] = x0.clone();
            pts[i + 1][i] += step;
        }
        for (int i = 0; i <= n; i++) val[i] = f.applyAsDouble(pts[i]);
        for (int it = 0; it < iterations; it++) {
            Integer[] idx = new Integer[n + 1];
            for (int i = 0; i <= n; i++) idx[i] = i;
            Arrays.sort(idx, Comparator.comparingDouble(i -> val[i]));
            double[][] sp = new double[n + 1][];
            double[] sv = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                sp[i] = pts[idx[i]];
                sv[i] = val[idx[i]];
            }
            pts = sp;
            System.arraycopy(sv, 0, val, 0, n + 1);
            if (Math.abs(val[n] - val[0]) < 1e-9) break;
            double[] c = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) c[j] += pts[i][j] / n;
            double[] xr = lerp(c, pts[n], -1);
            double fr = f.applyAsDouble(xr);
            if (fr < val[0]) {
                double[] xe = lerp(c, pts[n], -2);
                double fe = f.applyAsDouble(xe);
                if (fe < fr) { pts[n] = xe; val[n] = fe; } else { pts[n] = xr; val[n] = fr; }
            } else if (fr < val[n - 1]) {
                pts[n] = xr;
                val[n] = fr;
            } else {
                double[] xc = lerp(c, pts[n], 0.5);
                double fc = f.applyAsDouble(xc);
                if (fc < val[n]) {
                    pts[n] = xc;
                    val[n] = fc;
                } else {
                    for (int i = 1; i <= n; i++) {
                        pts[i] = lerp(pts[0], pts[i], 0.5);
                        val[i] = f.applyAsDouble(pts[i]);
                    }
                }
            }
        }
        int best = 0;
        for (int i = 1; i <= n; i++) if (val[i] < val[best]) best = i;
        return pts[best];
    }

    /** c + k·(x − c). */
    private static double[] lerp(double[] c, double[] x, double k) {
        double[] r = new double[c.length];
        for (int i = 0; i < c.length; i++) r[i] = c[i] + k * (x[i] - c[i]);
        return r;
    }
}
