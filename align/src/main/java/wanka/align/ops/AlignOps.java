package wanka.align.ops;

import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.CrossEntropy;
import wanka.tensor.cpu.Gemm;

/**
 * The differentiable pieces preference training adds to the model's ops (CPU, float32):
 * <ul>
 *   <li>{@link #rows}: chosen rows of a [rows, d] tensor (the last token of each sequence, for the reward head);</li>
 *   <li>{@link #sequenceLogProbs}: {@code log π(y|x) = Σ_t log softmax(h_t·Wᵀ)[y_{t+1}]} summed per sequence over the
 *       positions whose target is not -100, with the LM head streamed in row chunks as in the fused LM-head loss;</li>
 *   <li>{@link #vectorLoss}: a scalar {@link VectorLoss} of such a vector (DPO, Bradley–Terry).</li>
 * </ul>
 */
public final class AlignOps {
    private static final int CHUNK_FLOATS = 1 << 22;

    private AlignOps() {
    }

    private static CpuPool pool(Tensor t) {
        return ((wanka.tensor.CpuDevice) t.device()).pool();
    }

    /** Rows {@code index[i]} of {@code x} seen as [rows, d]: output [index.length, d]; backward scatters back. */
    public static Tensor rows(Tensor x, int[] index) {
        int d = x.shape().lastDim(), n = x.shape().rows();
        Tensor y = Tensor.zeros(x.device(), Shape.of(index.length, d));
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= n) throw new IndexOutOfBoundsException("row " + index[i] + " of " + n);
            System.arraycopy(x.data(), x.offset() + index[i] * d, y.data(), i * d, d);
        }
        if (x.requiresGrad() && x.device().gradEnabled()) {
            y.setGradFn(new GradNode("rows", x) {
                @Override
                public void backward(Tensor dy) {
                    Tensor dx = Tensor.zeros(x.device(), x.shape());
                    for (int i = 0; i < index.length; i++) {
                        for (int k = 0; k < d; k++) dx.data()[index[i] * d + k] += dy.data()[dy.offset() + i * d + k];
                    }
                    accumulate(x, dx);
                }
            });
        }
        return y;
    }

    /**
     * Per-sequence summed log-probabilities of the targets: {@code h} [rows, d] (rows = sequences × seq), {@code w}
     * [vocab, d], {@code targets[r]} the id predicted at row r or -100; row r belongs to sequence {@code r / seq}.
     * Output [rows / seq]. Backward recomputes the logits chunk by chunk: d log π_s / d logits_r = onehot − softmax.
     */
    public static Tensor sequenceLogProbs(Tensor h, Tensor w, int[] targets, int seq) {
        int rows = h.shape().rows(), d = h.shape().lastDim(), vocab = w.shape().dim(0);
        if (targets.length != rows || rows % seq != 0) throw new IllegalArgumentException(targets.length + " targets for " + rows + " rows of " + seq);
        int nSeq = rows / seq;
        Tensor out = Tensor.zeros(h.device(), Shape.of(nSeq));
        int chunk = Math.max(1, Math.min(rows, CHUNK_FLOATS / vocab));
        float[] logits = new float[chunk * vocab];
        double[] rowLoss = new double[chunk];
        double[] sums = new double[nSeq];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int n = Math.min(chunk, rows - r0);
            Gemm.sgemm(pool(h), false, true, n, vocab, d, 1f, h.data(), h.offset() + r0 * d, d, w.data(), w.offset(), d, 0f, logits, 0, vocab);
            CrossEntropy.loss(pool(h), logits, 0, n, vocab, targets, r0, rowLoss, 0);
            for (int i = 0; i < n; i++) if (targets[r0 + i] != CrossEntropy.IGNORE_INDEX) sums[(r0 + i) / seq] -= rowLoss[i];
        }
        for (int s = 0; s < nSeq; s++) out.data()[s] = (float) sums[s];
        if ((h.requiresGrad() || w.requiresGrad()) && h.device().gradEnabled()) {
            out.setGradFn(new GradNode("sequence_log_probs", h, w) {
                @Override
                public void backward(Tensor g) {
                    Tensor dh = Tensor.zeros(h.device(), h.shape());
                    Tensor dw = w.requiresGrad() ? w.gradOrZeros() : null;
                    float[] lg = new float[chunk * vocab];
                    for (int r0 = 0; r0 < rows; r0 += chunk) {
                        int n = Math.min(chunk, rows - r0);
                        Gemm.sgemm(pool(h), false, true, n, vocab, d, 1f, h.data(), h.offset() + r0 * d, d, w.data(), w.offset(), d, 0f, lg, 0, vocab);
                        CrossEntropy.lossAndGrad(pool(h), lg, 0, n, vocab, targets, r0, 1f, null, 0); // softmax − onehot
                        for (int i = 0; i < n; i++) {
                            float f = -g.data()[g.offset() + (r0 + i) / seq];
                            for (int v = 0, o = i * vocab; v < vocab; v++) lg[o + v] *= f;
                        }
                        Gemm.sgemm(pool(h), false, false, n, d, vocab, 1f, lg, 0, vocab, w.data(), w.offset(), d, 0f, dh.data(), r0 * d, d);
                        if (dw != null) Gemm.sgemm(pool(h), true, false, vocab, d, n, 1f, lg, 0, vocab, h.data(), h.offset() + r0 * d, d, 1f, dw.data(), dw.offset(), d);
                    }
                    accumulate(h, dh);
                }
            });
        }
        return out;
    }

    /** The scalar {@code f(x)} of a vector tensor; backward dx = g·∇f(x). */
    public static Tensor vectorLoss(Tensor x, VectorLoss f) {
        int n = (int) x.numel();
        double[] xs = new double[n], grad = new double[n];
        for (int i = 0; i < n; i++) xs[i] = x.data()[x.offset() + i];
        Tensor y = Tensor.zeros(x.device(), Shape.of());
        y.data()[0] = (float) f.value(xs, grad);
        if (x.requiresGrad() && x.device().gradEnabled()) {
            y.setGradFn(new GradNode("vector_loss", x) {
                @Override
                public void backward(Tensor g) {
                    Tensor dx = Tensor.zeros(x.device(), x.shape());
                    float s = g.item();
                    for (int i = 0; i < n; i++) dx.data()[i] = (float) (s * grad[i]);
                    accumulate(x, dx);
                }
            });
        }
        return y;
    }
}
