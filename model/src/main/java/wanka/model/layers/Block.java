package wanka.model.layers;

import wanka.tensor.Tensor;

/**
 * One residual block of the stack: [batch, seq, hidden] in, same shape out. The model only knows this
 * interface, so parallelism and recomputation wrap blocks without editing them.
 */
public interface Block {

    /** Training / full-sequence forward (positions 0..seq-1). */
    Tensor forward(Tensor x, Rotary rotary);

    /** Incremental forward for generation: appends this step's keys/values to {@code cache}. */
    Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache);

    /**
     * Incremental forward of n sequences at once, one new token each ({@code x} [n, 1, hidden]), sequence i appending to
     * {@code caches.get(i)}; all caches hold the same number of positions. The default runs them one by one; a block
     * may batch its projections over the n rows.
     */
    default Tensor forwardCachedRows(Tensor x, Rotary rotary, java.util.List<LayerCache> caches) {
        int n = caches.size(), h = x.shape().lastDim();
        Tensor out = Tensor.zeros(x.device(), n, 1, h);
        for (int i = 0; i < n; i++) {
            Tensor y = forwardCached(x.rowsView(i, i + 1).reshapeView(1, 1, h), rotary, caches.get(i));
            System.arraycopy(y.data(), y.offset(), out.data(), i * h, h);
        }
        return out;
    }

    /** Parameters under their HF names relative to the block (e.g. {@code self_attention.query.weight}). */
    java.util.Map<String, Tensor> parameters();

    /**
     * This block with each projection replaced by {@code f(name, projection)}, names relative to the block as in the
     * HF checkpoint without {@code .weight} (e.g. {@code self_attention.query}, {@code mlp.down_proj}).
     */
    Block mapProjections(java.util.function.BiFunction<String, Projection, Projection> f);
}
