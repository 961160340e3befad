package wanka.train.mix;

import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;

/**
 * A differentiable copy of rows [from, to) of a tensor seen as [rows, lastDim]. Backward adds the output
 * gradient into those rows of the input's gradient, so several slices of one tensor may each feed a loss.
 */
final class RowSlice {
    private RowSlice() {
    }

    static Tensor rows(Tensor x, int from, int to) {
        int d = x.shape().lastDim();
        if (from < 0 || to > x.shape().rows() || from >= to) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + x.shape());
        Tensor y = Tensor.zeros(x.device(), Shape.of(to - from, d));
        if (x.hasData()) System.arraycopy(x.data(), x.offset() + from * d, y.data(), y.offset(), (to - from) * d);
        if (x.requiresGrad() && x.device().gradEnabled()) y.setGradFn(new Node(x, from * d));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor x;
        private final int start;

        Node(Tensor x, int start) {
            super("row_slice", x);
            this.x = x;
            this.start = start;
        }

        @Override
        public void backward(Tensor dy) {
            Tensor acc = x.gradOrZeros();
            if (!dy.hasData()) return;
            float[] a = acc.data(), g = dy.data();
            int ao = acc.offset() + start, go = dy.offset();
            for (int i = 0, n = (int) dy.numel(); i < n; i++) a[ao + i] += g[go + i];
        }
    }
}
