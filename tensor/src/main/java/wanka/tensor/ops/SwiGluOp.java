package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.SwiGlu;

/** h = silu(gate) · up, element-wise. */
final class SwiGluOp {
    private SwiGluOp() {
    }

    static Tensor forward(Tensor g, Tensor u) {
        OpContext ctx = OpContext.of(g, u);
        if (!g.shape().equals(u.shape())) throw new IllegalArgumentException("swiglu: gate " + g.shape() + " and up " + u.shape() + " differ");
        int rows = g.shape().rows(), cols = g.shape().lastDim();
        Tensor h = Tensor.zeros(ctx.device(), g.shape());
        ctx.cost("swiglu", 6.0 * rows * cols, 12.0 * rows * cols);
        if (!ctx.meta()) SwiGlu.forward(ctx.pool(), rows, cols, g.data(), g.offset(), cols, u.data(), u.offset(), cols, h.data(), h.offset(), cols);
        if (ctx.record(g, u)) h.setGradFn(new Node(g, u));
        return h;
    }

    private static final class Node extends GradNode {
        private Tensor g, u;

        Node(Tensor g, Tensor u) {
            super("swiglu", g, u);
            this.g = g;
            this.u = u;
        }

        @Override
        public void backward(Tensor dh) {
            OpContext ctx = OpContext.of(dh);
            int rows = g.shape().rows(), cols = g.shape().lastDim();
            Tensor dg = Tensor.zeros(ctx.device(), g.shape()), du = Tensor.zeros(ctx.device(), u.shape());
            if (!ctx.meta()) {
                SwiGlu.backward(ctx.pool(), rows, cols, g.data(), g.offset(), cols, u.data(), u.offset(), cols, dh.data(), dh.offset(), cols,
                        dg.data(), dg.offset(), cols, du.data(), du.offset(), cols);
            }
            accumulate(g, dg);
            accumulate(u, du);
        }

        @Override
        protected void releaseSaved() {
            g = null;
            u = null;
        }
    }
}
