package wanka.model.layers;

import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** A TeleChat2 decoder layer: pre-RMSNorm attention and pre-RMSNorm SwiGLU, each with a residual. */
public record TransformerBlock(Tensor inputNorm, SelfAttention attention, Tensor postAttentionNorm, Mlp mlp, float eps)
        implements Block {

    @Override
    public Tensor forward(Tensor x, Rotary rotary) {
        Tensor h = Ops.add(x, attention.forward(Ops.rmsNorm(x, inputNorm, eps), rotary));
        return Ops.add(h, mlp.forward(Ops.rmsNorm(h, postAttentionNorm, eps)));
    }

    @Override
    public Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache) {
        Tensor h = Ops.add(x, attention.forwardCached(Ops.rmsNorm(x, inputNorm, eps), rotary, cache));
        return Ops.add(h, mlp.forward(Ops.rmsNorm(h, postAttentionNorm, eps)));
    }

    /** Norms, projections and MLP over all n rows in one call each; attention per sequence against its own cache. */
    @Override
    public Tensor forwardCachedRows(Tensor x, Rotary rotary, java.util.List<LayerCache> caches) {
        Tensor h = Ops.add(x, attention.forwardCachedRows(Ops.rmsNorm(x, inputNorm, eps), rotary, caches));
        return Ops.add(h, mlp.forward(Ops.rmsNorm(h, postAttentionNorm, eps)));
    }

    @Override
    public TransformerBlock mapProjections(java.util.function.BiFunction<String, Projection, Projection> f) {
        return new TransformerBlock(inputNorm, attention.mapProjections((n, p) -> f.apply("self_attention." + n, p)), postAttentionNorm,
                mlp.mapProjections((n, p) -> f.apply("mlp." + n, p)), eps);
    }

    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input_layernorm.weight", inputNorm);
        attention.parameters().forEach((k, v) -> m.put("self_attention." + k, v));
        m.put("post_attention_layernorm.weight", postAttentionNorm);
        mlp.parameters().forEach((k, v) -> m.put("mlp." + k, v));
        return m;
    }
}
