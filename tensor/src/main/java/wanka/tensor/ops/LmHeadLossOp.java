package wanka.tensor.ops;

import wanka.tensor.DType;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.CrossEntropy;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.Gemm;
import wanka.tensor.cpu.RowOps;

/**
 * The LM head fused with the cross-entropy loss. Rows of h are processed in chunks: logits of a chunk
 * (chunk × vocab) are computed, turned into their gradient in place, and folded into dh and dW right
 * away, so memory holds one chunk of logits, never all of them. Gradients are computed during forward
 * (when the graph is recorded) and scaled by the incoming gradient in backward. A memory-mapped W is read in
 * place (evaluation only: no graph may be recorded through it).
 */
final class LmHeadLossOp {
    /**
     * Target floats per logits chunk (64 MiB). Each chunk re-reads W [vocab, d] three times and rewrites dW once,
     * so chunks must be large enough that this traffic stays small next to the chunk's GEMM work.
     */
    private static final int CHUNK_FLOATS = 1 << 24;

    private LmHeadLossOp() {
    }

    static Tensor forward(Tensor h, Tensor w, int[] targets) {
        OpContext ctx = OpContext.of(h, w);
        int rows = h.shape().rows(), d = h.shape().lastDim(), vocab = w.shape().dim(0);
        if (w.shape().dim(1) != d) throw new IllegalArgumentException("lm_head: hidden " + h.shape() + " does not match weight " + w.shape());
        if (targets.length != rows) throw new IllegalArgumentException("lm_head loss: " + targets.length + " targets for " + rows + " rows");
        int valid = 0;
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            if (t == CrossEntropy.IGNORE_INDEX) continue;
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("target id " + t + " at position " + i + " is outside the vocabulary of " + vocab);
            valid++;
        }
        boolean rec = ctx.record(h, w);
        if (rec && w.isMapped()) throw OpContext.mappedNeedsGrad("lm_head loss", w);
        Tensor loss = Tensor.zeros(ctx.device(), Shape.of());
        ctx.cost("lm_head", 2.0 * rows * d * vocab, 4.0 * ((long) rows * d + (long) vocab * d));
        if (rec) ctx.cost("lm_head.backward", 4.0 * rows * d * vocab, 0);
        Tensor dh = rec ? Tensor.zeros(ctx.device(), h.shape()) : null;
        Tensor dw = rec && w.requiresGrad() ? Tensor.zeros(ctx.device(), w.shape()) : null;
        // One chunk of logits, counted on the device while the loss runs (META included, so estimates see it).
        Tensor chunkLogits = valid > 0 ? Tensor.zeros(ctx.device(), Shape.of(Math.max(1, Math.min(rows, CHUNK_FLOATS / vocab)), vocab)) : null;
        if (!ctx.meta() && valid > 0) {
            CpuPool pool = ctx.pool();
            int chunk = chunkLogits.shape().dim(0);
            float[] logits = chunkLogits.data();
            float scale = 1f / valid;
            double sum = 0;
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int n = Math.min(chunk, rows - r0);
                int hOff = h.offset() + r0 * d;
                if (w.isMapped()) {
                    Gemm.sgemm(pool, false, true, n, vocab, d, 1f, h.data(), hOff, d, w.segment(), 0, d, w.segmentType() == DType.BF16, 0f, logits, 0, vocab);
                } else {
                    Gemm.sgemm(pool, false, true, n, vocab, d, 1f, h.data(), hOff, d, w.data(), w.offset(), d, 0f, logits, 0, vocab);
                }
                if (rec) {
                    sum += CrossEntropy.lossAndGrad(pool, logits, 0, n, vocab, targets, r0, scale, null, 0);
                    Gemm.sgemm(pool, false, false, n, d, vocab, 1f, logits, 0, vocab, w.data(), w.offset(), d, 0f, dh.data(), dh.offset() + r0 * d, d);
                    if (dw != null) Gemm.sgemm(pool, true, false, vocab, d, n, 1f, logits, 0, vocab, h.data(), hOff, d, 1f, dw.data(), dw.offset(), d);
                } else {
                    sum += CrossEntropy.loss(pool, logits, 0, n, vocab, targets, r0, null, 0);
                }
            }
            loss.data()[loss.offset()] = (float) (sum / valid);
        }
        if (chunkLogits != null) chunkLogits.release();
        if (rec) loss.setGradFn(new Node(h, w, dh, dw));
        return loss;
    }

    private static final class Node extends GradNode {
        private final Tensor h, w;
        private Tensor dh, dw;

        Node(Tensor h, Tensor w, Tensor dh, Tensor dw) {
            super("lm_head_cross_entropy", h, w);
            this.h = h;
            this.w = w;
            this.dh = dh;
            this.dw = dw;
        }

        @Override
        public void backward(Tensor g) {
            OpContext ctx = OpContext.of(g);
            float s = ctx.meta() ? 1f : g.item();
            if (dw != null) {
                Tensor acc = w.gradOrZeros();
                if (!ctx.meta()) RowOps.axpy(ctx.pool(), s, dw.data(), dw.offset(), acc.data(), acc.offset(), (int) dw.numel());
                dw.release();
                dw = null;
            }
            if (!ctx.meta() && s != 1f) RowOps.scale(ctx.pool(), dh.data(), dh.offset(), (int) dh.numel(), s);
            accumulate(h, dh);
            dh = null;
        }
    }
}
