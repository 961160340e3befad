package wanka.tensor.ops;

import wanka.tensor.DType;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.Embedding;

/** Gathers rows of the embedding matrix (heap or memory-mapped F32/BF16); backward scatter-adds into its gradient. */
final class EmbeddingOp {
    private EmbeddingOp() {
    }

    static Tensor forward(Tensor w, int[] ids, int batch, int seq) {
        OpContext ctx = OpContext.of(w);
        if (ids.length != batch * seq) throw new IllegalArgumentException("embedding: " + ids.length + " ids for batch " + batch + " × seq " + seq);
        int vocab = w.shape().dim(0), d = w.shape().dim(1);
        Tensor y = Tensor.zeros(ctx.device(), Shape.of(batch, seq, d));
        ctx.cost("embedding", 0, 8.0 * ids.length * d);
        if (!ctx.meta()) {
            if (w.isMapped()) Embedding.forward(ctx.pool(), w.segment(), w.segmentType() == DType.BF16, vocab, d, ids, 0, ids.length, y.data(), y.offset());
            else Embedding.forward(ctx.pool(), w.data(), w.offset(), vocab, d, ids, 0, ids.length, y.data(), y.offset());
        }
        if (ctx.record(w)) y.setGradFn(new Node(w, ids.clone()));
        return y;
    }

    private static final class Node extends GradNode {
        private final Tensor w;
        private final int[] ids;

        Node(Tensor w, int[] ids) {
            super("embedding", w);
            this.w = w;
            this.ids = ids;
        }

        @Override
        public void backward(Tensor dy) {
            OpContext ctx = OpContext.of(dy);
            Tensor dw = w.gradOrZeros();
            if (!ctx.meta()) {
                Embedding.backward(ctx.pool(), dy.data(), dy.offset(), ids, 0, ids.length, dw.data(), dw.offset(), w.shape().dim(0), w.shape().dim(1));
            }
        }
    }
}
