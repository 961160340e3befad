package wanka.model;

import wanka.model.layers.Block;
import wanka.model.layers.LayerCache;
import wanka.model.layers.Linear;
import wanka.model.layers.Mlp;
import wanka.model.layers.Packing;
import wanka.model.layers.Projection;
import wanka.model.layers.Rotary;
import wanka.model.layers.SelfAttention;
import wanka.model.io.WeightNames;
import wanka.model.io.WeightSpec;
import wanka.model.layers.TransformerBlock;
import wanka.tensor.Device;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The TeleChat2 decoder as the HF remote code computes it: word embeddings, {@code n_layer} pre-norm blocks,
 * final RMSNorm {@code ln_f}, untied {@code lm_head}, no logit scaling.
 *
 * <p>The block list is mutable through {@link #mapBlocks}, so wrappers (recomputation, pipeline stages)
 * are applied to a built model without changing this class.
 */
public final class TeleChat2 {
    private final TeleChat2Config config;
    private final Tensor wordEmbeddings;
    private final List<Block> blocks;
    private final Tensor lnF;
    private final Tensor lmHead;

    public TeleChat2(TeleChat2Config config, Tensor wordEmbeddings, List<Block> blocks, Tensor lnF, Tensor lmHead) {
        this.config = config;
        this.wordEmbeddings = wordEmbeddings;
        this.blocks = new ArrayList<>(blocks);
        this.lnF = lnF;
        this.lmHead = lmHead;
    }

    public TeleChat2Config config() {
        return config;
    }

    public List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /** Replaces every block by {@code wrap.apply(block)} (e.g. a recomputation wrapper). */
    public void mapBlocks(Function<Block, Block> wrap) {
        blocks.replaceAll(wrap::apply);
    }

    /**
     * Replaces every projection of every block by {@code f(name, projection)}, where name is the HF module name
     * (e.g. {@code transformer.h.3.self_attention.query}); e.g. to wrap chosen projections in LoRA adapters.
     * Parameters keep their names and tensors: {@link #parameters()} lists the base weights.
     */
    public void mapProjections(java.util.function.BiFunction<String, Projection, Projection> f) {
        for (int i = 0; i < blocks.size(); i++) {
            String prefix = "transformer.h." + i + ".";
            blocks.set(i, blocks.get(i).mapProjections((n, p) -> f.apply(prefix + n, p)));
        }
    }

    public Device device() {
        return wordEmbeddings.device();
    }

    // ---- forward ----------------------------------------------------------------------------

    /** Final hidden states [batch, seq, hidden] (after {@code ln_f}) for token ids laid out [batch, seq]. */
    public Tensor hidden(int[] ids, int batch, int seq) {
        return hidden(ids, batch, seq, null);
    }

    /**
     * Final hidden states of packed rows: several samples per row, each at positions from 0 and attending only to
     * itself ({@link Packing}; null: one sample per row). The rotary table is the one of the row length {@code seq}.
     */
    public Tensor hidden(int[] ids, int batch, int seq, Packing packing) {
        if (ids.length != batch * seq) throw new IllegalArgumentException("ids has " + ids.length + " tokens, expected batch*seq = " + batch * seq);
        if (packing != null && packing.positions().length != ids.length) {
            throw new IllegalArgumentException("packing covers " + packing.positions().length + " tokens, expected batch*seq = " + batch * seq);
        }
        Rotary rotary = packing == null ? rotary(seq) : rotary(seq).packed(packing);
        Tensor x = Ops.embedding(wordEmbeddings, ids, batch, seq);
        for (Block b : blocks) x = b.forward(x, rotary);
        return Ops.rmsNorm(x, lnF, (float) config.layerNormEpsilon());
    }

    /**
     * Mean next-token cross-entropy over the targets that are not {@code -100}; the LM head and the loss run
     * fused in row chunks, so the full logits are never held.
     */
    public Tensor loss(int[] inputs, int[] targets, int batch, int seq) {
        return Ops.lmHeadCrossEntropy(hidden(inputs, batch, seq), lmHead, targets);
    }

    /** {@link #loss(int[], int[], int, int)} over packed rows ({@link #hidden(int[], int, int, Packing)}). */
    public Tensor loss(int[] inputs, int[] targets, int batch, int seq, Packing packing) {
        return Ops.lmHeadCrossEntropy(hidden(inputs, batch, seq, packing), lmHead, targets);
    }

    /** The LM head weight [vocab, hidden] (untied). */
    public Tensor lmHead() {
        return lmHead;
    }

    /** Logits [batch, seq, vocab] (inference). */
    public Tensor logits(int[] ids, int batch, int seq) {
        return Ops.linear(hidden(ids, batch, seq), lmHead, null);
    }

    /** A fresh KV cache for one sequence of up to {@code capacity} positions. */
    public List<LayerCache> newCache(int capacity) {
        List<LayerCache> c = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) c.add(new LayerCache(capacity, 2 * config.numKvHeads() * config.headDim()));
        return c;
    }

    /** Feeds {@code ids} (one sequence) after what the cache holds; returns the logits of the last position [vocab]. */
    public float[] step(int[] ids, List<LayerCache> cache) {
        int start = cache.getFirst().length();
        Rotary rotary = rotary(start + ids.length);
        try (var ignored = device().noGrad(); var scope = device().openScope()) {
            Tensor x = Ops.embedding(wordEmbeddings, ids, 1, ids.length);
            for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forwardCached(x, rotary, cache.get(i));
            Tensor last = x.rowsView(ids.length - 1, ids.length);
            Tensor h = Ops.rmsNorm(last, lnF, (float) config.layerNormEpsilon());
            return Ops.linear(h, lmHead, null).toArray();
        }
    }

    /**
     * Feeds one token to each of n sequences ({@code ids[i]} after what {@code caches.get(i)} holds; all hold the same
     * number of positions): the projections run over the n rows together. Returns the logits [n][vocab].
     */
    public float[][] stepRows(int[] ids, List<List<LayerCache>> caches) {
        int n = ids.length;
        if (caches.size() != n) throw new IllegalArgumentException(n + " ids for " + caches.size() + " caches");
        int start = caches.getFirst().getFirst().length();
        Rotary rotary = rotary(start + 1);
        try (var ignored = device().noGrad(); var scope = device().openScope()) {
            Tensor x = Ops.embedding(wordEmbeddings, ids, n, 1);
            for (int l = 0; l < blocks.size(); l++) {
                List<LayerCache> layer = new ArrayList<>(n);
                for (List<LayerCache> c : caches) layer.add(c.get(l));
                x = blocks.get(l).forwardCachedRows(x, rotary, layer);
            }
            Tensor h = Ops.rmsNorm(x.reshapeView(n, config.hiddenSize()), lnF, (float) config.layerNormEpsilon());
            float[] all = Ops.linear(h, lmHead, null).toArray();
            int v = all.length / n;
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(all, i * v, (i + 1) * v);
            return out;
        }
    }

    private Rotary rotary(int totalLength) {
        return Rotary.telechat2(config.headDim(), totalLength, config.trainingSeqlen(), config.baseSeqlen(), config.ropeTheta());
    }

    // ---- parameters -------------------------------------------------------------------------

    /** All parameters under their HF TeleChat2 names, in checkpoint order. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("transformer.word_embeddings.weight", wordEmbeddings);
        for (int i = 0; i < blocks.size(); i++) {
            String p = "transformer.h." + i + ".";
            blocks.get(i).parameters().forEach((k, v) -> m.put(p + k, v));
        }
        m.put("transformer.ln_f.weight", lnF);
        m.put("lm_head.weight", lmHead);
        return m;
    }

    /**
     * The role of every parameter, under the names {@link #parameters()} uses, in the same order; the optimizer's
     * weight-decay split reads it.
     */
    public Map<String, ParamRole> parameterRoles() {
        Map<String, ParamRole> m = new LinkedHashMap<>();
        for (WeightSpec spec : WeightNames.expected(config)) m.put(spec.name(), spec.role());
        return m;
    }

    /** Builds a model whose parameters come from {@code source} (HF name → tensor). */
    public static TeleChat2 fromParameters(TeleChat2Config c, Function<String, Tensor> source) {
        int hd = c.headDim(), kv = c.numKvHeads();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "transformer.h." + i + ".";
            SelfAttention att = new SelfAttention(
                    new Linear(source.apply(p + "self_attention.query.weight"), null),
                    new Linear(source.apply(p + "self_attention.key_value.weight"), null),
                    new Linear(source.apply(p + "self_attention.dense.weight"), source.apply(p + "self_attention.dense.bias")),
                    c.numHeads(), kv, hd);
            Mlp mlp = new Mlp(new Linear(source.apply(p + "mlp.gate_proj.weight"), null),
                    new Linear(source.apply(p + "mlp.up_proj.weight"), null),
                    new Linear(source.apply(p + "mlp.down_proj.weight"), source.apply(p + "mlp.down_proj.bias")));
            blocks.add(new TransformerBlock(source.apply(p + "input_layernorm.weight"), att,
                    source.apply(p + "post_attention_layernorm.weight"), mlp, (float) c.layerNormEpsilon()));
        }
        return new TeleChat2(c, source.apply("transformer.word_embeddings.weight"), blocks,
                source.apply("transformer.ln_f.weight"), source.apply("lm_head.weight"));
    }

    /**
     * A freshly initialised model as the HF code initialises it, by {@link ParamRole}: linear, embedding and head
     * weights ~ N(0, initializer_range), biases 0, norm gains 1. Deterministic for a given seed; every parameter
     * requires grad.
     */
    public static TeleChat2 initialize(TeleChat2Config c, Device device, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        Map<String, Tensor> made = new LinkedHashMap<>();
        for (WeightSpec spec : WeightNames.expected(c)) {
            int[] dims = java.util.Arrays.stream(spec.shape()).mapToInt(Math::toIntExact).toArray();
            Tensor t = Tensor.zeros(device, dims).named(spec.name());
            SplittableRandom r = root.split();
            if (t.hasData()) {
                float[] d = t.data();
                switch (spec.role()) {
                    case NORM_GAIN -> java.util.Arrays.fill(d, 1f);
                    case BIAS -> { } // zeros
                    case EMBEDDING, LINEAR_WEIGHT, HEAD -> {
                        double std = c.initializerRange();
                        for (int i = 0; i < d.length; i++) d[i] = (float) (gaussian(r) * std);
                    }
                }
            }
            made.put(spec.name(), t.requiresGrad(true));
        }
        return fromParameters(c, made::get);
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller; SplittableRandom has no nextGaussian with a fixed algorithm across JDKs.
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
