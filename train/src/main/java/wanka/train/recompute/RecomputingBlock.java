package wanka.train.recompute;

import wanka.model.layers.Block;
import wanka.model.layers.LayerCache;
import wanka.model.layers.Projection;
import wanka.model.layers.Rotary;
import wanka.model.layers.TransformerBlock;
import wanka.tensor.Tensor;

import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A TeleChat2 layer that recomputes {@code ops} in backward ({@link LayerForward}); the single-process form of
 * {@code --recompute}. Generation and parameters are the inner block's.
 */
public record RecomputingBlock(TransformerBlock inner, Set<RecomputeOp> ops) implements Block {

    /** {@code block} recomputing what {@code plan} says for layer {@code layer}; {@code block} itself when nothing. */
    public static Block wrap(Block block, int layer, RecomputePlan plan) {
        Set<RecomputeOp> ops = plan.ops(layer);
        if (ops.isEmpty()) return block;
        if (block instanceof TransformerBlock t) return new RecomputingBlock(t, ops);
        if (ops.equals(Set.of(RecomputeOp.FULL))) return new RecomputedBlock(block);
        throw new IllegalArgumentException("layer " + layer + " is a " + block.getClass().getSimpleName() + "; only full recomputation applies to it");
    }

    @Override
    public Tensor forward(Tensor x, Rotary rotary) {
        return new LayerForward(inner.inputNorm(), inner.attention(), inner.postAttentionNorm(), inner.mlp(), inner.eps(), LayerForward.Region.LOCAL, ops)
                .forward(x, rotary);
    }

    @Override
    public Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache) {
        return inner.forwardCached(x, rotary, cache);
    }

    @Override
    public Map<String, Tensor> parameters() {
        return inner.parameters();
    }

    @Override
    public Block mapProjections(BiFunction<String, Projection, Projection> f) {
        return new RecomputingBlock(inner.mapProjections(f), ops);
    }
}
