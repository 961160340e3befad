package wanka.model.layers;

import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TeleChat2 self-attention: {@code query} [h,h] and interleaved {@code key_value} [2·kv·d, h] without bias,
 * RoPE on q and k, causal grouped-query attention, output projection {@code dense} with bias.
 */
public record SelfAttention(Projection query, Projection keyValue, Projection dense, int heads, int kvHeads, int headDim) {

    /** Full-sequence forward; with {@link Rotary#packing()} positions restart per sample and attention stays inside it. */
    public Tensor forward(Tensor x, Rotary rotary) {
        return dense.forward(core(query.forward(x), keyValue.forward(x), rotary));
    }

    /**
     * The attention core: RoPE on the projected queries {@code q} and {@code key_value} rows {@code kv}, then causal
     * grouped-query attention (within each packed sample); the context before {@code dense}. A separate method so
     * training can recompute exactly this part in backward (selective recomputation).
     */
    public Tensor core(Tensor q, Tensor kv, Rotary rotary) {
        Packing p = rotary.packing();
        if (p == null) {
            Tensor qr = Ops.rope(q, heads, headDim, headDim, rotary.table(), 0);
            Tensor kvr = Ops.rope(kv, kvHeads, 2 * headDim, headDim, rotary.table(), 0);
            return Ops.attention(qr, kvr, heads, kvHeads, headDim);
        }
        Tensor qr = Ops.rope(q, heads, headDim, headDim, rotary.table(), p.positions());
        Tensor kvr = Ops.rope(kv, kvHeads, 2 * headDim, headDim, rotary.table(), p.positions());
        return Ops.attention(qr, kvr, heads, kvHeads, headDim, p.segments());
    }

    public Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache) {
        int start = cache.length();
        Tensor q = Ops.rope(query.forward(x), heads, headDim, headDim, rotary.table(), start);
        Tensor kv = Ops.rope(keyValue.forward(x), kvHeads, 2 * headDim, headDim, rotary.table(), start);
        Tensor ctx = Ops.attentionCached(q, kv, cache, heads, kvHeads, headDim);
        return dense.forward(ctx);
    }

    /**
     * One new token for each of n sequences ({@code x} [n, 1, hidden]) whose caches all hold {@code start} positions:
     * q, k, v and the output projection run over the n rows at once (RoPE at position {@code start} for all), the
     * attention of row i over {@code caches.get(i)}.
     */
    public Tensor forwardCachedRows(Tensor x, Rotary rotary, java.util.List<LayerCache> caches) {
        int n = caches.size(), start = caches.getFirst().length();
        for (LayerCache c : caches) if (c.length() != start) throw new IllegalArgumentException("batched decoding needs caches of equal length");
        Tensor q = Ops.rope(query.forward(x), heads, headDim, headDim, rotary.table(), start);
        Tensor kv = Ops.rope(keyValue.forward(x), kvHeads, 2 * headDim, headDim, rotary.table(), start);
        int qw = heads * headDim, kw = 2 * kvHeads * headDim;
        Tensor ctx = Tensor.zeros(x.device(), n, 1, qw);
        for (int i = 0; i < n; i++) {
            Tensor ci = Ops.attentionCached(q.rowsView(i, i + 1).reshapeView(1, 1, qw), kv.rowsView(i, i + 1).reshapeView(1, 1, kw), caches.get(i), heads, kvHeads, headDim);
            System.arraycopy(ci.data(), ci.offset(), ctx.data(), i * qw, qw);
        }
        return dense.forward(ctx);
    }

    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("query.weight", query.base().weight());
        m.put("key_value.weight", keyValue.base().weight());
        m.put("dense.weight", dense.base().weight());
        m.put("dense.bias", dense.base().bias());
        return m;
    }

    /** This attention with each projection replaced by {@code f(name, projection)}; names are {@code query}, {@code key_value}, {@code dense}. */
    public SelfAttention mapProjections(java.util.function.BiFunction<String, Projection, Projection> f) {
        return new SelfAttention(f.apply("query", query), f.apply("key_value", keyValue), f.apply("dense", dense), heads, kvHeads, headDim);
    }
}
