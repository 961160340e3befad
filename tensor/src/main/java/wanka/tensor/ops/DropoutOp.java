package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;

import java.util.SplittableRandom;

/**
 * Inverted dropout: y = x·m/(1−p) with m_i ~ Bernoulli(1−p) drawn from {@code seed} (the same seed, the same mask);
 * backward dx = dy·m/(1−p). The mask is kept as one bit per element.
 */
final class DropoutOp {
    private DropoutOp() {
    }

    static Tensor forward(Tensor x, float p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        OpContext ctx = OpContext.of(x);
        Tensor y = x.detachCopy();
        int n = (int) x.numel();
        java.util.BitSet keep = new java.util.BitSet(n);
        ctx.cost("dropout", n, 8.0 * n);
        if (!ctx.meta()) {
            SplittableRandom r = new SplittableRandom(seed);
            float k = 1f / (1 - p);
            float[] d = y.data();
            for (int i = 0, o = y.offset(); i < n; i++, o++) {
                if (r.nextDouble() >= p) {
                    keep.set(i);
                    d[o] *= k;
                } else {
                    d[o] = 0f;
                }
            }
        }
        if (ctx.record(x)) y.setGradFn(new Node(x, keep, 1f / (1 - p)));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor x;
        private final java.util.BitSet keep;
        private final float k;

        Node(Tensor x, java.util.BitSet keep, float k) {
            super("dropout", x);
            this.x = x;
            this.keep = keep;
            this.k = k;
        }

        @Override
        public void backward(Tensor dy) {
            Tensor dx = dy.detachCopy();
            if (dx.hasData()) {
                float[] d = dx.data();
                for (int i = 0, o = dx.offset(), n = (int) dx.numel(); i < n; i++, o++) d[o] = keep.get(i) ? d[o] * k : 0f;
            }
            accumulate(x, dx);
        }
    }
}
