package wanka.tensor.ops;

import wanka.tensor.DType;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.Gemm;
import wanka.tensor.cpu.RowOps;

/**
 * y = x·Wᵀ + b over the rows of x; W is [out, in]. Backward: dx = dy·W, dW += dyᵀ·x, db += Σ dy. W may be a
 * memory-mapped (F32 or BF16) tensor, read in place; then nothing may be differentiated through the op.
 */
final class LinearOp {
    private LinearOp() {
    }

    static Tensor forward(Tensor x, Tensor w, Tensor b) {
        OpContext ctx = OpContext.of(x, w, b);
        int in = x.shape().lastDim(), rows = x.shape().rows();
        if (w.shape().rank() != 2 || w.shape().dim(1) != in) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " does not match weight " + w.shape() + (w.name() != null ? " ('" + w.name() + "')" : ""));
        }
        int out = w.shape().dim(0);
        if (b != null && b.numel() != out) throw new IllegalArgumentException("linear: bias " + b.shape() + " does not match weight " + w.shape());
        Tensor y = Tensor.zeros(ctx.device(), x.shape().withLastDim(out));
        ctx.cost("linear", 2.0 * rows * in * out, 4.0 * ((long) rows * in + (long) in * out + (long) rows * out));
        boolean rec = ctx.record(x, w, b);
        if (rec && w.isMapped()) throw OpContext.mappedNeedsGrad("linear", w);
        if (!ctx.meta()) {
            if (w.isMapped()) {
                Gemm.sgemm(ctx.pool(), false, true, rows, out, in, 1f, x.data(), x.offset(), in,
                        w.segment(), 0, in, w.segmentType() == DType.BF16, 0f, y.data(), y.offset(), out);
            } else {
                Gemm.sgemm(ctx.pool(), false, true, rows, out, in, 1f, x.data(), x.offset(), in, w.data(), w.offset(), in, 0f, y.data(), y.offset(), out);
            }
            if (b != null) RowOps.addBias(ctx.pool(), y.data(), y.offset(), rows, out, b.data(), b.offset());
        }
        if (rec) y.setGradFn(new Node(x, w, b));
        return y;
    }

    private static final class Node extends GradNode {
        private Tensor x;
        private final Tensor w, b;

        Node(Tensor x, Tensor w, Tensor b) {
            super("linear", x, w, b);
            this.x = x;
            this.w = w;
            this.b = b;
        }

        @Override
        public void backward(Tensor dy) {
            OpContext ctx = OpContext.of(dy);
            int in = x.shape().lastDim(), rows = x.shape().rows(), out = w.shape().dim(0);
            if (wants(x)) {
                Tensor dx = Tensor.zeros(ctx.device(), x.shape());
                ctx.cost("linear.backward", 2.0 * rows * in * out, 0);
                if (!ctx.meta()) Gemm.sgemm(ctx.pool(), false, false, rows, in, out, 1f, dy.data(), dy.offset(), out, w.data(), w.offset(), in, 0f, dx.data(), dx.offset(), in);
                accumulate(x, dx);
            }
            if (wants(w)) {
                Tensor dw = w.gradOrZeros();
                ctx.cost("linear.backward", 2.0 * rows * in * out, 0);
                if (!ctx.meta()) Gemm.sgemm(ctx.pool(), true, false, out, in, rows, 1f, dy.data(), dy.offset(), out, x.data(), x.offset(), in, 1f, dw.data(), dw.offset(), in);
            }
            if (wants(b)) {
                Tensor db = b.gradOrZeros();
                if (!ctx.meta()) RowOps.addColumnSums(ctx.pool(), dy.data(), dy.offset(), rows, out, db.data(), db.offset());
            }
        }

        @Override
        protected void releaseSaved() {
            x = null;
        }
    }
}
