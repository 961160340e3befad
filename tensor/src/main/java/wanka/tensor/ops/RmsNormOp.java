package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.RmsNorm;

/** y = x · rsqrt(mean(x²) + eps) · w over the last axis. */
final class RmsNormOp {
    private RmsNormOp() {
    }

    static Tensor forward(Tensor x, Tensor w, float eps) {
        OpContext ctx = OpContext.of(x, w);
        int d = x.shape().lastDim(), rows = x.shape().rows();
        if (w.numel() != d) throw new IllegalArgumentException("rms_norm: weight " + w.shape() + " does not match input " + x.shape());
        Tensor y = Tensor.zeros(ctx.device(), x.shape());
        boolean rec = ctx.record(x, w);
        float[] rstd = rec || !ctx.meta() ? new float[rows] : null;
        ctx.cost("rms_norm", 4.0 * rows * d, 8.0 * rows * d);
        if (!ctx.meta()) RmsNorm.forward(ctx.pool(), rows, d, eps, x.data(), x.offset(), w.data(), w.offset(), y.data(), y.offset(), rstd, 0);
        if (rec) y.setGradFn(new Node(x, w, rstd));
        return y;
    }

    private static final class Node extends GradNode {
        private Tensor x;
        private final Tensor w;
        private float[] rstd;

        Node(Tensor x, Tensor w, float[] rstd) {
            super("rms_norm", x, w);
            this.x = x;
            this.w = w;
            this.rstd = rstd;
        }

        @Override
        public void backward(Tensor dy) {
            OpContext ctx = OpContext.of(dy);
            int d = x.shape().lastDim(), rows = x.shape().rows();
            Tensor dx = Tensor.zeros(ctx.device(), x.shape());
            ctx.cost("rms_norm.backward", 8.0 * rows * d, 16.0 * rows * d);
            if (!ctx.meta()) {
                // dw accumulates in place; when w needs no gradient a scratch buffer takes it.
                float[] dw = wants(w) ? w.gradOrZeros().data() : new float[d];
                int dwOff = wants(w) ? w.grad().offset() : 0;
                RmsNorm.backward(ctx.pool(), rows, d, x.data(), x.offset(), w.data(), w.offset(), rstd, 0,
                        dy.data(), dy.offset(), dx.data(), dx.offset(), dw, dwOff);
            } else if (wants(w)) {
                w.gradOrZeros();
            }
            accumulate(x, dx);
        }

        @Override
        protected void releaseSaved() {
            x = null;
            rstd = null;
        }
    }
}
