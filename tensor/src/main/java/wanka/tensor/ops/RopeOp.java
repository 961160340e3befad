package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.Rope;
import wanka.tensor.cpu.RopeTable;

/**
 * Rotary embedding on [batch, seq, width] rows: {@code heads} heads of {@code headDim} values each,
 * {@code headStride} apart within a row (the rest of the row, e.g. the V halves of TeleChat2's
 * interleaved key_value, passes through). Token s of each sequence sits at position start + s.
 */
final class RopeOp {
    private RopeOp() {
    }

    static Tensor forward(Tensor x, int heads, int headStride, int headDim, RopeTable table, int start) {
        return forward(x, heads, headStride, headDim, table, start, null);
    }

    /** Token s of sequence b sits at position {@code positions[b·seq + s]} (null: {@code start + s}). */
    static Tensor forward(Tensor x, int heads, int headStride, int headDim, RopeTable table, int start, int[] positions) {
        OpContext ctx = OpContext.of(x);
        if (x.shape().rank() != 3) throw new IllegalArgumentException("rope: expected [batch, seq, width], got " + x.shape());
        int batch = x.shape().dim(0), seq = x.shape().dim(1), width = x.shape().dim(2);
        if ((long) (heads - 1) * headStride + headDim > width) {
            throw new IllegalArgumentException("rope: " + heads + " heads of " + headDim + " at stride " + headStride + " exceed row width " + width);
        }
        if (positions != null && positions.length != batch * seq) {
            throw new IllegalArgumentException("rope: " + positions.length + " positions for batch·seq = " + batch * seq + " tokens");
        }
        if (table.headDim() != headDim) throw new IllegalArgumentException("rope: table head dim " + table.headDim() + " != " + headDim);
        Tensor y = x.detachCopy();
        ctx.cost("rope", 3.0 * batch * seq * heads * headDim, 8.0 * x.numel());
        if (!ctx.meta()) {
            for (int b = 0; b < batch; b++) {
                if (positions != null) Rope.forward(ctx.pool(), table, y.data(), y.offset() + b * seq * width, seq, width, heads, headStride, positions, b * seq);
                else Rope.forward(ctx.pool(), table, y.data(), y.offset() + b * seq * width, seq, width, heads, headStride, start);
            }
        }
        if (ctx.record(x)) y.setGradFn(new Node(x, heads, headStride, table, start, positions));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor x;
        private final int heads, headStride, start;
        private final RopeTable table;
        private final int[] positions;

        Node(Tensor x, int heads, int headStride, RopeTable table, int start, int[] positions) {
            super("rope", x);
            this.x = x;
            this.heads = heads;
            this.headStride = headStride;
            this.table = table;
            this.start = start;
            this.positions = positions;
        }

        @Override
        public void backward(Tensor dy) {
            OpContext ctx = OpContext.of(dy);
            int batch = x.shape().dim(0), seq = x.shape().dim(1), width = x.shape().dim(2);
            Tensor dx = dy.detachCopy();
            if (!ctx.meta()) {
                for (int b = 0; b < batch; b++) {
                    if (positions != null) Rope.backward(ctx.pool(), table, dx.data(), dx.offset() + b * seq * width, seq, width, heads, headStride, positions, b * seq);
                    else Rope.backward(ctx.pool(), table, dx.data(), dx.offset() + b * seq * width, seq, width, heads, headStride, start);
                }
            }
            accumulate(x, dx);
        }
    }
}
