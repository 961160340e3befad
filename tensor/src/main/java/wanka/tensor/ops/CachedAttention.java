package wanka.tensor.ops;

import wanka.tensor.Tensor;
import wanka.tensor.cpu.Attention;
import wanka.tensor.cpu.AttentionOperand;
import wanka.tensor.cpu.AttentionShape;

/** Incremental attention for generation (batch 1): new key_value rows go into the cache, queries attend to all of it. */
final class CachedAttention {
    private CachedAttention() {
    }

    static Tensor forward(Tensor q, Tensor kv, KvCacheView cache, int heads, int kvHeads, int headDim) {
        OpContext ctx = OpContext.of(q, kv);
        AttentionOp.check(q, kv, heads, kvHeads, headDim);
        if (q.shape().dim(0) != 1) throw new IllegalArgumentException("cached attention runs one sequence at a time, got batch " + q.shape().dim(0));
        int sq = q.shape().dim(1);
        int row = 2 * kvHeads * headDim;
        if (cache.rowWidth() != row) throw new IllegalArgumentException("KV cache rows are " + cache.rowWidth() + " wide, key_value rows are " + row);
        Tensor out = Tensor.zeros(ctx.device(), q.shape());
        int start = cache.length();
        int keys = start + sq;
        ctx.cost("attention", 4.0 * heads * (double) sq * keys * headDim, 4.0 * keys * row);
        if (ctx.meta()) return out;
        cache.append(kv.data(), kv.offset(), sq);
        float[] c = cache.data();
        AttentionShape s = AttentionShape.causal(1, heads, kvHeads, headDim, sq, keys, start);
        Attention.forward(ctx.pool(), s, AttentionOp.queries(q, heads, headDim),
                new AttentionOperand(c, 0, 0, row, 2 * headDim), new AttentionOperand(c, headDim, 0, row, 2 * headDim),
                AttentionOp.queries(out, heads, headDim), null);
        return out;
    }
}
