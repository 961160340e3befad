package wanka.train.parallel;

import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.model.layers.Block;
import wanka.model.layers.Linear;
import wanka.model.layers.Mlp;
import wanka.model.layers.SelfAttention;
import wanka.model.layers.TransformerBlock;
import wanka.tensor.Tensor;
import wanka.train.recompute.RecomputeOp;
import wanka.train.recompute.RecomputingBlock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * torchtitan's {@code parallelize(model, mesh, plan)} for TeleChat2: the part of an unchanged, built model one
 * rank trains under a {@link ParallelLayout}. The rank keeps the layers of its pipeline stages (virtual stage
 * c·pp + r is chunk c of pipeline rank r, Megatron's interleaved assignment), its tensor-parallel slice of each
 * parameter ({@link Split}), all laid out in {@link FlatParams}; the layers are the model's own
 * {@link TransformerBlock}, {@link SelfAttention} and {@link Mlp} over those slices, inside a
 * {@link TensorParallelBlock} when tp > 1. The full model is built first on every rank and then sliced, which
 * suits models that fit one host's memory.
 */
final class ParallelModel {
    final FlatParams flat;
    final List<ModelChunk> chunks;
    final int groups;

    private ParallelModel(FlatParams flat, List<ModelChunk> chunks, int groups) {
        this.flat = flat;
        this.chunks = chunks;
        this.groups = groups;
    }

    /** Builds rank {@code env}'s part of {@code model}; {@code onBackward} hears each layer group's gate. */
    static ParallelModel of(TeleChat2 model, RankEnv env, IntConsumer onBackward) {
        TeleChat2Config c = env.config();
        ParallelLayout layout = env.layout();
        int p = layout.pp(), v = layout.vpp(), r = env.mesh().pp().rank();
        int[] perStage = layout.layersPerStage(c.numLayers());
        int[] firstLayer = new int[perStage.length + 1];
        for (int s = 0; s < perStage.length; s++) firstLayer[s + 1] = firstLayer[s] + perStage[s];
        Map<String, Tensor> full = model.parameters();

        // Layout in the order backward completes gradients: last chunk first, head, blocks last to first, embedding.
        List<FlatParams.Spec> specs = new ArrayList<>();
        int group = 0;
        int[][] blockGroups = new int[v][];
        int[] headGroup = new int[v], embeddingGroup = new int[v];
        for (int ch = v - 1; ch >= 0; ch--) {
            int stage = ch * p + r, lo = firstLayer[stage], hi = firstLayer[stage + 1];
            headGroup[ch] = embeddingGroup[ch] = -1;
            if (stage == p * v - 1) {
                headGroup[ch] = group;
                specs.add(new FlatParams.Spec("transformer.ln_f.weight", full.get("transformer.ln_f.weight"), group));
                specs.add(new FlatParams.Spec("lm_head.weight", full.get("lm_head.weight"), group));
                group++;
            }
            blockGroups[ch] = new int[hi - lo];
            for (int l = hi - 1; l >= lo; l--) {
                blockGroups[ch][l - lo] = group;
                String prefix = "transformer.h." + l + ".";
                for (var e : full.entrySet()) if (e.getKey().startsWith(prefix)) specs.add(new FlatParams.Spec(e.getKey(), e.getValue(), group));
                group++;
            }
            if (stage == 0) {
                embeddingGroup[ch] = group;
                specs.add(new FlatParams.Spec("transformer.word_embeddings.weight", full.get("transformer.word_embeddings.weight"), group));
                group++;
            }
        }
        int pad = layout.zero() ? layout.dp() : 1;
        FlatParams flat = FlatParams.build(specs, env.tpRank(), env.tpSize(), layout.bucketElements(), pad, env.device());

        List<ModelChunk> chunks = new ArrayList<>();
        int vocabStart = env.tpRank() * (c.vocabSize() / env.tpSize());
        for (int ch = 0; ch < v; ch++) {
            int stage = ch * p + r, lo = firstLayer[stage], hi = firstLayer[stage + 1];
            List<Block> blocks = new ArrayList<>();
            for (int l = lo; l < hi; l++) blocks.add(block(flat, l, env));
            boolean last = stage == p * v - 1;
            chunks.add(new ModelChunk(ch, env, stage == 0 ? flat.param("transformer.word_embeddings.weight") : null, blocks,
                    last ? flat.param("transformer.ln_f.weight") : null, last ? flat.param("lm_head.weight") : null,
                    vocabStart, blockGroups[ch], headGroup[ch], embeddingGroup[ch], onBackward));
        }
        return new ParallelModel(flat, List.copyOf(chunks), group);
    }

    /** Layer {@code layer} over this rank's slices, built as {@code TeleChat2.fromParameters} builds it, recomputing what the layout's plan says. */
    private static Block block(FlatParams flat, int layer, RankEnv env) {
        String prefix = "transformer.h." + layer + ".";
        Set<RecomputeOp> recompute = env.layout().recompute().ops(layer);
        TeleChat2Config c = env.config();
        int t = env.tpSize();
        boolean biasHere = env.tpRank() == 0;
        SelfAttention att = new SelfAttention(
                new Linear(flat.param(prefix + "self_attention.query.weight"), null),
                new Linear(flat.param(prefix + "self_attention.key_value.weight"), null),
                new Linear(flat.param(prefix + "self_attention.dense.weight"), biasHere ? flat.param(prefix + "self_attention.dense.bias") : null),
                c.numHeads() / t, c.numKvHeads() / t, c.headDim());
        Mlp mlp = new Mlp(new Linear(flat.param(prefix + "mlp.gate_proj.weight"), null),
                new Linear(flat.param(prefix + "mlp.up_proj.weight"), null),
                new Linear(flat.param(prefix + "mlp.down_proj.weight"), biasHere ? flat.param(prefix + "mlp.down_proj.bias") : null));
        Tensor in = flat.param(prefix + "input_layernorm.weight"), post = flat.param(prefix + "post_attention_layernorm.weight");
        float eps = (float) c.layerNormEpsilon();
        if (t == 1) return RecomputingBlock.wrap(new TransformerBlock(in, att, post, mlp, eps), layer, env.layout().recompute());
        return new TensorParallelBlock(in, att, post, mlp, eps, env.comm(), env.mesh().tp(), env.layout().splitsRows(), env.seq(), env.layout().replicas(), recompute);
    }
}
