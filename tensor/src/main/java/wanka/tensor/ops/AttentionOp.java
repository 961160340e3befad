package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.Attention;
import wanka.tensor.cpu.AttentionOperand;
import wanka.tensor.cpu.AttentionSegments;
import wanka.tensor.cpu.AttentionShape;

/**
 * Causal grouped-query attention. Queries are [batch, seq, heads·headDim]; keys and values come from
 * TeleChat2's interleaved key_value rows [batch, seq, kvHeads·2·headDim] = [k_0, v_0, k_1, v_1, ...].
 * Output [batch, seq, heads·headDim]. Memory is linear in seq (tiled online softmax).
 */
final class AttentionOp {
    private AttentionOp() {
    }

    static Tensor forward(Tensor q, Tensor kv, int heads, int kvHeads, int headDim) {
        return forward(q, kv, heads, kvHeads, headDim, null);
    }

    /** With {@code segmentIds} ([batch, seq], null: none), each token attends only to its own sample ({@link AttentionSegments}). */
    static Tensor forward(Tensor q, Tensor kv, int heads, int kvHeads, int headDim, int[] segmentIds) {
        OpContext ctx = OpContext.of(q, kv);
        int batch = q.shape().dim(0), seq = q.shape().dim(1);
        check(q, kv, heads, kvHeads, headDim);
        AttentionShape s = AttentionShape.training(batch, heads, kvHeads, headDim, seq);
        AttentionSegments seg = segmentIds == null ? null : AttentionSegments.of(segmentIds, batch, seq);
        Tensor out = Tensor.zeros(ctx.device(), q.shape());
        boolean rec = ctx.record(q, kv);
        float[] lse = rec ? new float[s.lseLength()] : null;
        double flops = 2.0 * batch * heads * (double) seq * (seq + 1) * headDim; // QKᵀ and PV over the causal half
        ctx.cost("attention", flops, 4.0 * (q.numel() + kv.numel() + out.numel()));
        if (!ctx.meta()) {
            Attention.forward(ctx.pool(), s, queries(q, heads, headDim), keys(kv, kvHeads, headDim, 0), keys(kv, kvHeads, headDim, headDim),
                    queries(out, heads, headDim), lse, seg);
        }
        if (rec) out.setGradFn(new Node(q, kv, out, lse, s, seg));
        return out;
    }

    static void check(Tensor q, Tensor kv, int heads, int kvHeads, int headDim) {
        if (q.shape().rank() != 3 || kv.shape().rank() != 3) throw new IllegalArgumentException("attention: expected [batch, seq, width] inputs, got " + q.shape() + " and " + kv.shape());
        if (q.shape().dim(2) != heads * headDim) throw new IllegalArgumentException("attention: query width " + q.shape().dim(2) + " != heads·headDim = " + heads * headDim);
        if (kv.shape().dim(2) != 2 * kvHeads * headDim) throw new IllegalArgumentException("attention: key_value width " + kv.shape().dim(2) + " != 2·kvHeads·headDim = " + 2 * kvHeads * headDim);
    }

    static AttentionOperand queries(Tensor t, int heads, int headDim) {
        int seq = t.shape().dim(1), row = heads * headDim;
        return new AttentionOperand(t.data(), t.offset(), seq * row, row, headDim);
    }

    static AttentionOperand keys(Tensor kv, int kvHeads, int headDim, int part) {
        int seq = kv.shape().dim(1), row = 2 * kvHeads * headDim;
        return new AttentionOperand(kv.data(), kv.offset() + part, seq * row, row, 2 * headDim);
    }

    private static final class Node extends GradNode {
        private Tensor q, kv, out;
        private float[] lse;
        private final AttentionShape s;
        private final AttentionSegments seg;

        Node(Tensor q, Tensor kv, Tensor out, float[] lse, AttentionShape s, AttentionSegments seg) {
            super("attention", q, kv);
            this.q = q;
            this.kv = kv;
            this.out = out;
            this.lse = lse;
            this.s = s;
            this.seg = seg;
        }

        @Override
        public void backward(Tensor dOut) {
            OpContext ctx = OpContext.of(dOut);
            int h = s.heads(), kvh = s.kvHeads(), d = s.headDim();
            Tensor dq = Tensor.zeros(ctx.device(), q.shape()), dkv = Tensor.zeros(ctx.device(), kv.shape());
            ctx.cost("attention.backward", 2.5 * 2.0 * s.batch() * h * (double) s.queryLen() * (s.queryLen() + 1) * d, 0);
            if (!ctx.meta()) {
                Attention.backward(ctx.pool(), s, queries(q, h, d), keys(kv, kvh, d, 0), keys(kv, kvh, d, d), queries(out, h, d),
                        queries(dOut, h, d), lse, queries(dq, h, d), keys(dkv, kvh, d, 0), keys(dkv, kvh, d, d), seg);
            }
            accumulate(q, dq);
            accumulate(kv, dkv);
        }

        @Override
        protected void releaseSaved() {
            q = kv = out = null;
            lse = null;
        }
    }
}
