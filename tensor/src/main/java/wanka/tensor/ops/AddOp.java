package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.VectorMath;

/** Element-wise a + b of equal shapes (the residual connections). */
final class AddOp {
    private AddOp() {
    }

    static Tensor forward(Tensor a, Tensor b) {
        OpContext ctx = OpContext.of(a, b);
        if (!a.shape().equals(b.shape())) throw new IllegalArgumentException("add: shapes differ " + a.shape() + " vs " + b.shape());
        Tensor y = Tensor.zeros(ctx.device(), a.shape());
        int n = (int) a.numel();
        ctx.cost("add", n, 12.0 * n);
        if (!ctx.meta()) {
            float[] ad = a.data(), bd = b.data(), yd = y.data();
            int ao = a.offset(), bo = b.offset();
            ctx.pool().parallelFor(n, 1 << 14, (from, to) -> VectorMath.add(ad, ao + from, bd, bo + from, yd, from, to - from));
        }
        if (ctx.record(a, b)) y.setGradFn(new Node(a, b));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor a, b;

        Node(Tensor a, Tensor b) {
            super("add", a, b);
            this.a = a;
            this.b = b;
        }

        @Override
        public void backward(Tensor dy) {
            // Both inputs receive dy unchanged; hand over copies so each owns its gradient array.
            if (wants(a)) accumulate(a, dy.detachCopy());
            if (wants(b)) accumulate(b, dy.detachCopy());
        }
    }
}
