package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CrossEntropyTest {
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

    /** Per-row losses of a naive double reference (ignored rows: 0). */
    static double[] refLoss(double[] x, int rows, int v, int[] targets) {
        double[] loss = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (targets[r] == CrossEntropy.IGNORE_INDEX) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, x[r * v + j]);
            double s = 0;
            for (int j = 0; j < v; j++) s += Math.exp(x[r * v + j] - max);
            loss[r] = max + Math.log(s) - x[r * v + targets[r]];
        }
        return loss;
    }

    /** (softmax - onehot) * scale, zero rows for ignored targets. */
    static double[] refGrad(double[] x, int rows, int v, int[] targets, double scale) {
        double[] g = new double[rows * v];
        for (int r = 0; r < rows; r++) {
            if (targets[r] == CrossEntropy.IGNORE_INDEX) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, x[r * v + j]);
            double s = 0;
            for (int j = 0; j < v; j++) s += Math.exp(x[r * v + j] - max);
            for (int j = 0; j < v; j++) g[r * v + j] = (Math.exp(x[r * v + j] - max) / s - (j == targets[r] ? 1 : 0)) * scale;
        }
        return g;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double d : a) s += d;
        return s;
    }

    @Test
    void referenceGradientMatchesFiniteDifferences() {
        Random rnd = new Random(10);
        int rows = 3, v = 5;
        int[] targets = {4, CrossEntropy.IGNORE_INDEX, 0};
        double[] x = toDouble(uniform(rnd, rows * v, 3));
        assertClose("grad", refGrad(x, rows, v, targets, 0.7),
                numericGradient(x, 1e-6, xx -> 0.7 * sum(refLoss(xx, rows, v, targets))), 1e-7, 1e-9);
    }

    @Test
    void kernelMatchesReferenceOnAllShapes() {
        Random rnd = new Random(11);
        for (int rows : ROWS) {
            for (int v : WIDTHS) check(rnd, rows, v, 4);
        }
        check(rnd, 64, 1376, 4);
        check(rnd, 6, 130, 2000); // huge logit spread: no overflow, no NaN
    }

    private void check(Random rnd, int rows, int v, double spread) {
        float[] logits = uniform(rnd, rows * v, spread);
        int[] targets = new int[rows + 1];
        for (int r = 0; r < targets.length; r++) targets[r] = rnd.nextInt(5) == 0 ? CrossEntropy.IGNORE_INDEX : rnd.nextInt(v);
        int[] rowTargets = java.util.Arrays.copyOfRange(targets, 1, targets.length);
        float scale = 1f / 37;
        double[] lossRef = refLoss(toDouble(logits), rows, v, rowTargets);
        double[] gradRef = refGrad(toDouble(logits), rows, v, rowTargets, scale);
        String shape = " [" + rows + "x" + v + "]";

        double[] evalLoss = new double[rows + 2];
        float[] untouched = RmsNormTest.shift(logits, 2);
        double evalTotal = CrossEntropy.loss(two, untouched, 2, rows, v, targets, 1, evalLoss, 2);
        assertThat(RmsNormTest.unshift(untouched, 2)).as("loss() leaves logits" + shape).isEqualTo(logits);
        assertClose("eval loss" + shape, java.util.Arrays.copyOfRange(evalLoss, 2, evalLoss.length), lossRef, 1e-6, 1e-5);

        float[][] grads = new float[2][];
        double[][] losses = new double[2][rows];
        double[] totals = new double[2];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            float[] buf = RmsNormTest.shift(logits, 2);
            totals[k] = CrossEntropy.lossAndGrad(pools[k], buf, 2, rows, v, targets, 1, scale, losses[k], 0);
            grads[k] = RmsNormTest.unshift(buf, 2);
        }
        assertClose("loss" + shape, losses[0], lossRef, 1e-6, 1e-5);
        assertThat(totals[0]).as("total" + shape).isCloseTo(sum(lossRef), within(1e-5 * rows * (1 + spread)));
        assertThat(evalTotal).isEqualTo(totals[0]);
        assertClose("grad" + shape, grads[0], gradRef, 1e-5, 1e-8);
        assertThat(grads[1]).as("grad 1 vs 2 threads" + shape).isEqualTo(grads[0]);
        assertThat(losses[1]).as("loss 1 vs 2 threads" + shape).isEqualTo(losses[0]);
        assertThat(totals[1]).isEqualTo(totals[0]);
    }

    @Test
    void logSoftmaxAndArgmax() {
        Random rnd = new Random(12);
        int rows = 3, v = 130;
        float[] x = uniform(rnd, rows * v, 5);
        double[] ref = toDouble(x);
        int[] allTargets = new int[rows];
        double[] lossOfZero = refLoss(ref, rows, v, allTargets);
        float[] ls = x.clone();
        CrossEntropy.logSoftmax(two, ls, 0, rows, v);
        for (int r = 0; r < rows; r++) {
            assertThat((double) ls[r * v]).isCloseTo(-lossOfZero[r], within(1e-5));
            int best = 0;
            for (int j = 1; j < v; j++) if (x[r * v + j] > x[r * v + best]) best = j;
            assertThat(CrossEntropy.argmax(x, r * v, v)).isEqualTo(best);
        }
        assertThat(CrossEntropy.argmax(new float[] {1, 3, 3, 2}, 0, 4)).as("first of ties").isEqualTo(1);
        assertThat(CrossEntropy.argmax(new float[] {Float.NaN, -1, 0}, 0, 3)).as("NaN skipped").isEqualTo(2);
    }

    @Test
    void rejectsBadTargets() {
        assertThatThrownBy(() -> CrossEntropy.loss(one, new float[8], 0, 2, 4, new int[] {1, 4}, 0, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targets[1] = 4");
        assertThatThrownBy(() -> CrossEntropy.lossAndGrad(one, new float[8], 0, 2, 4, new int[] {-1, 0}, 0, 1f, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targets[0] = -1");
    }

    @Test
    void rowPiecesOfAVocabularyParallelLossMatchScalarLoops() {
        Random rnd = new Random(5);
        for (int n : new int[] {1, 15, 17, 1000, 4096}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 8);
            float want = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) want = Math.max(want, x[2 + i]);
            assertThat(CrossEntropy.max(x, 2, n)).isEqualTo(want);
            float[] e = x.clone();
            double sum = CrossEntropy.expInPlace(e, 2, n, want), ref = 0;
            for (int i = 0; i < n; i++) {
                double r = Math.exp(x[2 + i] - want);
                ref += r;
                assertThat((double) e[2 + i]).isCloseTo(r, within(2e-6 * Math.max(r, 1e-30) + 1e-37));
            }
            assertThat(sum).isCloseTo(ref, within(1e-6 * ref));
            assertThat(e[0]).isEqualTo(x[0]); // outside the row: untouched
            assertThat(e[n + 2]).isEqualTo(x[n + 2]);
            float[] sc = x.clone();
            CrossEntropy.scale(sc, 2, n, 0.25f);
            for (int i = 0; i < n; i++) assertThat(sc[2 + i]).isEqualTo(x[2 + i] * 0.25f);
        }
    }
}
