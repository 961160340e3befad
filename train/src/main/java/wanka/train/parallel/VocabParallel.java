package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.tensor.CpuDevice;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.CrossEntropy;
import wanka.tensor.cpu.Gemm;
import wanka.tensor.cpu.RowOps;

/**
 * Megatron-LM's vocabulary-parallel embedding and cross-entropy ({@code VocabParallelEmbedding},
 * {@code vocab_parallel_cross_entropy}): rank k of the tensor-parallel group holds rows
 * [k·V/t, (k+1)·V/t) of {@code word_embeddings} and of {@code lm_head}, so neither table nor the logits are
 * ever whole on one rank.
 */
final class VocabParallel {
    private VocabParallel() {
    }

    /**
     * This rank's part of the embedding lookup: rows of ids inside [start, start + rows of w), zeros elsewhere.
     * The caller sums the parts over the group (all-reduce, or reduce-scatter under sequence parallelism).
     */
    static Tensor embeddingPart(Tensor w, int start, int[] ids, int batch, int seq) {
        int vl = w.shape().dim(0), d = w.shape().dim(1);
        Tensor y = Tensor.zeros(w.device(), Shape.of(batch, seq, d));
        float[] wd = w.data(), yd = y.data();
        for (int i = 0; i < ids.length; i++) {
            int r = ids[i] - start;
            if (r >= 0 && r < vl) System.arraycopy(wd, w.offset() + r * d, yd, y.offset() + i * d, d);
        }
        if (w.device().gradEnabled() && w.requiresGrad()) {
            int[] saved = ids.clone();
            y.setGradFn(new GradNode("vocab_parallel_embedding", w) {
                @Override
                public void backward(Tensor dy) {
                    Tensor dw = w.gradOrZeros();
                    float[] g = dw.data(), dyd = dy.data();
                    for (int i = 0; i < saved.length; i++) {
                        int r = saved[i] - start;
                        if (r < 0 || r >= vl) continue;
                        int go = dw.offset() + r * d, yo = dy.offset() + i * d;
                        for (int j = 0; j < d; j++) g[go + j] += dyd[yo + j];
                    }
                }
            });
        }
        return y;
    }

    /**
     * Mean next-token cross-entropy (targets −100 ignored) of logits h·Wᵀ whose vocabulary is split over
     * {@code g}: each rank computes its [rows, V/t] logits, the row maxima are max-reduced and the sums of
     * exponentials and target logits sum-reduced (two small all-reduces), so every rank gets the same loss.
     * Gradients are computed here, as in the fused single-process op, and scaled in backward; the gradient of
     * {@code h} is this rank's partial sum, completed by the {@link CommOps#copyToGroup} in front of {@code h}.
     */
    static Tensor crossEntropy(Tensor h, Tensor w, int start, int[] targets, Comm comm, ProcessGroup g) {
        CpuDevice dev = (CpuDevice) h.device();
        int n = h.shape().rows(), d = h.shape().lastDim(), vl = w.shape().dim(0);
        if (targets.length != n) throw new IllegalArgumentException("vocab-parallel loss: " + targets.length + " targets for " + n + " rows");
        Tensor logitsT = Tensor.zeros(dev, Shape.of(n, vl)); // counted on the device while the loss runs
        float[] logits = logitsT.data();
        Gemm.sgemm(dev.pool(), false, true, n, vl, d, 1f, h.data(), h.offset(), d, w.data(), w.offset(), d, 0f, logits, 0, vl);
        float[] max = new float[n];
        for (int i = 0; i < n; i++) max[i] = CrossEntropy.max(logits, i * vl, vl);
        comm.allReduce(g, max, 0, n, ReduceOp.MAX);
        float[] sums = new float[2 * n]; // [sum of exp(logit - max) | target logit]
        int valid = 0;
        for (int i = 0; i < n; i++) {
            int t = targets[i];
            if (t != CrossEntropy.IGNORE_INDEX) {
                valid++;
                if (t >= start && t < start + vl) sums[n + i] = logits[i * vl + t - start];
            }
            sums[i] = (float) CrossEntropy.expInPlace(logits, i * vl, vl, max[i]); // the single-process loss's vector exponential
        }
        comm.allReduce(g, sums, 0, 2 * n);
        double loss = 0;
        float scale = valid > 0 ? 1f / valid : 0f;
        for (int i = 0; i < n; i++) {
            int t = targets[i];
            boolean ignored = t == CrossEntropy.IGNORE_INDEX;
            if (!ignored) loss += Math.log(sums[i]) + max[i] - sums[n + i];
            if (ignored) java.util.Arrays.fill(logits, i * vl, (i + 1) * vl, 0f);
            else CrossEntropy.scale(logits, i * vl, vl, scale / sums[i]); // softmax / valid
            if (!ignored && t >= start && t < start + vl) logits[i * vl + t - start] -= scale;
        }
        Tensor out = Tensor.zeros(dev, Shape.of());
        out.data()[out.offset()] = valid > 0 ? (float) (loss / valid) : 0f;
        if (!(dev.gradEnabled() && (h.requiresGrad() || w.requiresGrad()))) {
            logitsT.release();
            return out;
        }
        Tensor dh = Tensor.zeros(dev, h.shape());
        Gemm.sgemm(dev.pool(), false, false, n, d, vl, 1f, logits, 0, vl, w.data(), w.offset(), d, 0f, dh.data(), dh.offset(), d);
        Tensor dwT = Tensor.zeros(dev, w.shape()); // held from forward to backward, as in the single-process op
        float[] dw = dwT.data();
        Gemm.sgemm(dev.pool(), true, false, vl, d, n, 1f, logits, 0, vl, h.data(), h.offset(), d, 0f, dw, 0, d);
        logitsT.release();
        out.setGradFn(new GradNode("vocab_parallel_cross_entropy", h, w) {
            @Override
            public void backward(Tensor dy) {
                float s = dy.item();
                if (wants(w)) {
                    Tensor acc = w.gradOrZeros();
                    RowOps.axpy(dev.pool(), s, dw, 0, acc.data(), acc.offset(), dw.length);
                }
                dwT.release();
                if (s != 1f) RowOps.scale(dev.pool(), dh.data(), dh.offset(), (int) dh.numel(), s);
                accumulate(h, dh);
            }
        });
        return out;
    }
}
