package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax cross-entropy over a chunk of logits rows {@code [rows, vocab]} (contiguous) with integer
 * targets. {@link #lossAndGrad} overwrites the logits with their gradient, so a caller can stream
 * the LM head and the loss chunk by chunk without holding all logits. A target of
 * {@link #IGNORE_INDEX} marks an ignored row: loss 0 and gradient 0. Per-row losses are computed
 * as {@code logsumexp(x) - x[target]} with the max subtracted first; exponentials are summed in
 * float lanes and the lanes in double, so results do not depend on the thread count.
 */
public final class CrossEntropy {
    /** Target value of an ignored row (PyTorch's default {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 14; // elements per parallel chunk, at least

    private CrossEntropy() {
    }

    /**
     * Computes the per-row losses and OVERWRITES row {@code r} of the logits with
     * {@code (softmax(x_r) - onehot(target_r)) * scale} (all zeros for an ignored row).
     *
     * @param rowLoss receives the per-row losses at {@code lossOff} (0 for ignored rows); may be null
     * @return the sum of the per-row losses, added in row order
     */
    public static double lossAndGrad(CpuPool pool, float[] logits, int off, int rows, int vocab,
                                     int[] targets, int tOff, float scale, double[] rowLoss, int lossOff) {
        return run(pool, logits, off, rows, vocab, targets, tOff, scale, rowLoss, lossOff, true);
    }

    /** Like {@link #lossAndGrad} but leaves the logits untouched (evaluation). */
    public static double loss(CpuPool pool, float[] logits, int off, int rows, int vocab,
                              int[] targets, int tOff, double[] rowLoss, int lossOff) {
        return run(pool, logits, off, rows, vocab, targets, tOff, 0f, rowLoss, lossOff, false);
    }

    /** Index of the largest of {@code a[off, off+len)}; the first one on ties; NaN is never chosen unless all are NaN. */
    public static int argmax(float[] a, int off, int len) {
        KernelChecks.atLeast("len", len, 1);
        KernelChecks.range("a", a, off, len);
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (a[off + i] > a[off + best] || Float.isNaN(a[off + best]) && !Float.isNaN(a[off + i])) best = i;
        }
        return best;
    }

    /** Replaces each row of {@code [rows, vocab]} by its log-softmax, {@code x - logsumexp(x)}, in place. */
    public static void logSoftmax(CpuPool pool, float[] logits, int off, int rows, int vocab) {
        checkDims(rows, vocab);
        KernelChecks.rows("logits", logits, off, rows, vocab, vocab);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / vocab), (from, to) -> {
            float[] lanes = new float[S.length()];
            for (int r = from; r < to; r++) {
                int xo = off + r * vocab;
                float max = rowMax(logits, xo, vocab);
                float lse = (float) (max + Math.log(sumExp(logits, xo, vocab, max, false, lanes)));
                for (int j = 0; j < vocab; j += S.length()) {
                    VectorMask<Float> m = S.indexInRange(j, vocab);
                    FloatVector.fromArray(S, logits, xo + j, m).sub(lse).intoArray(logits, xo + j, m);
                }
            }
        });
    }

    private static double run(CpuPool pool, float[] logits, int off, int rows, int vocab, int[] targets, int tOff,
                              float scale, double[] rowLoss, int lossOff, boolean grad) {
        checkDims(rows, vocab);
        KernelChecks.rows("logits", logits, off, rows, vocab, vocab);
        KernelChecks.range("targets", targets.length, tOff, rows);
        for (int r = 0; r < rows; r++) {
            int t = targets[tOff + r];
            if (t != IGNORE_INDEX && (t < 0 || t >= vocab)) {
                throw new IllegalArgumentException("targets[" + (tOff + r) + "] = " + t + " outside [0, " + vocab + ") and not " + IGNORE_INDEX);
            }
        }
        double[] losses = rowLoss != null ? rowLoss : new double[rows];
        int lo = rowLoss != null ? lossOff : 0;
        KernelChecks.range("rowLoss", losses.length, lo, rows);
        pool.parallelFor(rows, Math.max(1, WORK_GRAIN / vocab), (from, to) -> {
            float[] lanes = new float[S.length()];
            for (int r = from; r < to; r++) {
                losses[lo + r] = row(logits, off + r * vocab, vocab, targets[tOff + r], scale, grad, lanes);
            }
        });
        double total = 0;
        for (int r = 0; r < rows; r++) total += losses[lo + r];
        return total;
    }

    /** Loss of one row; with {@code grad}, also writes the scaled gradient over the row. */
    private static double row(float[] x, int xo, int vocab, int target, float scale, boolean grad, float[] lanes) {
        if (target == IGNORE_INDEX) {
            if (grad) java.util.Arrays.fill(x, xo, xo + vocab, 0f);
            return 0;
        }
        float xt = x[xo + target];
        float max = rowMax(x, xo, vocab);
        double sum = sumExp(x, xo, vocab, max, grad, lanes); // with grad, x now holds e^(x - max)
        double loss = max + Math.log(sum) - xt;
        if (grad) {
            double pt = x[xo + target] / sum;
            float inv = (float) (scale / sum);
            for (int j = 0; j < vocab; j += S.length()) {
                VectorMask<Float> m = S.indexInRange(j, vocab);
                FloatVector.fromArray(S, x, xo + j, m).mul(inv).intoArray(x, xo + j, m);
            }
            x[xo + target] = (float) ((pt - 1) * scale);
        }
        return loss;
    }

    /**
     * The largest of {@code x[off, off+n)} (for a loss whose vocabulary is split over ranks, which combine their
     * row maxima before the exponentials).
     */
    public static float max(float[] x, int off, int n) {
        KernelChecks.atLeast("n", n, 1);
        KernelChecks.range("x", x, off, n);
        return rowMax(x, off, n);
    }

    /**
     * Replaces {@code x[off, off+n)} by {@code e^(x - max)} (the same vector exponential as {@link #lossAndGrad}) and
     * returns their sum.
     */
    public static double expInPlace(float[] x, int off, int n, float max) {
        KernelChecks.atLeast("n", n, 1);
        KernelChecks.range("x", x, off, n);
        return sumExp(x, off, n, max, true, new float[S.length()]);
    }

    /** Multiplies {@code x[off, off+n)} by {@code k} in place. */
    public static void scale(float[] x, int off, int n, float k) {
        KernelChecks.range("x", x, off, n);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector.fromArray(S, x, off + j, m).mul(k).intoArray(x, off + j, m);
        }
    }

    private static float rowMax(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, n);
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xo + j, m), m);
        }
        return acc.reduceLanes(VectorOperators.MAX); // max is exact and order-independent
    }

    /** Sum of e^(x - max) over the row; with {@code store}, the exponentials replace x. */
    private static double sumExp(float[] x, int xo, int n, float max, boolean store, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector e = KernelMath.exp(FloatVector.fromArray(S, x, xo + j, m).sub(max));
            if (store) e.intoArray(x, xo + j, m);
            acc = acc.add(e, m);
        }
        return KernelMath.sumLanes(acc, lanes);
    }

    private static void checkDims(int rows, int vocab) {
        KernelChecks.atLeast("rows", rows, 0);
        KernelChecks.atLeast("vocab", vocab, 1);
    }
}
