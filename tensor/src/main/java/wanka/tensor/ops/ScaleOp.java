package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.RowOps;

/** y = s·x element-wise for a constant s (e.g. LoRA's α/r); backward dx = s·dy. */
final class ScaleOp {
    private ScaleOp() {
    }

    static Tensor forward(Tensor x, float s) {
        OpContext ctx = OpContext.of(x);
        Tensor y = x.detachCopy();
        ctx.cost("scale", x.numel(), 8.0 * x.numel());
        if (!ctx.meta()) RowOps.scale(ctx.pool(), y.data(), y.offset(), (int) y.numel(), s);
        if (ctx.record(x)) y.setGradFn(new Node(x, s));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor x;
        private final float s;

        Node(Tensor x, float s) {
            super("scale", x);
            this.x = x;
            this.s = s;
        }

        @Override
        public void backward(Tensor dy) {
            Tensor dx = dy.detachCopy();
            OpContext ctx = OpContext.of(dy);
            if (!ctx.meta()) RowOps.scale(ctx.pool(), dx.data(), dx.offset(), (int) dx.numel(), s);
            accumulate(x, dx);
        }
    }
}
