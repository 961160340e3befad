package wanka.plan;

import wanka.model.TeleChat2Config;

/**
 * The shape of a dense decoder-only transformer, as much as the DryRun needs to cost it: sizes, and the few
 * architectural choices that change parameter, FLOP and activation counts. Notation follows
 * {@code research/parallel-formulas.md}: l layers, h hidden, a heads, g kv heads, d_h = h/a, f FFN width, V vocab.
 *
 * @param name             what to call it in reports
 * @param layers           l
 * @param hidden           h
 * @param heads            a, query heads
 * @param kvHeads          g, key/value heads (a for multi-head attention, fewer for GQA)
 * @param ffn              f, the MLP inner width (per branch for SwiGLU)
 * @param vocab            V, the (padded) vocabulary
 * @param norm             LayerNorm (weight and bias) or RMSNorm (weight only)
 * @param mlp              GeLU (two matrices) or SwiGLU (gate, up, down)
 * @param biases           which linear layers carry a bias
 * @param tiedEmbeddings   whether the LM head reuses the embedding table
 * @param learnedPositions rows of a learned position table (GPT-2 style), 0 for rotary positions
 * @param dropout          whether dropout runs (its masks are kept as activations)
 * @param flashAttention   fused attention: no s² scores are stored and causal blocks are skipped
 */
public record ModelSpec(String name, int layers, int hidden, int heads, int kvHeads, int ffn, int vocab,
                        Norm norm, Mlp mlp, Biases biases, boolean tiedEmbeddings, int learnedPositions,
                        boolean dropout, boolean flashAttention) {

    /** Normalisation layer kind. */
    public enum Norm { LAYER_NORM, RMS_NORM }

    /** MLP kind. */
    public enum Mlp { GELU, SWIGLU }

    /** Which linear layers have a bias: all (Megatron GPT), only the two output projections (TeleChat2), none (Llama). */
    public enum Biases { ALL, OUTPUT_ONLY, NONE }

    /** Checks that sizes are positive and heads divide evenly; messages name the field. */
    public ModelSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("model name must not be empty");
        positive("layers", layers);
        positive("hidden", hidden);
        positive("heads", heads);
        positive("kv heads", kvHeads);
        positive("ffn", ffn);
        positive("vocab", vocab);
        if (learnedPositions < 0) throw new IllegalArgumentException("learned positions must be >= 0, got " + learnedPositions);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
        if (norm == null || mlp == null || biases == null) throw new IllegalArgumentException("norm, mlp and biases must be given");
    }

    private static void positive(String field, long v) {
        if (v <= 0) throw new IllegalArgumentException("model " + field + " must be positive, got " + v);
    }

    /** A TeleChat2 model (RMSNorm, SwiGLU, GQA, biases on dense and down_proj, untied, rotary, no dropout, flash). */
    public static ModelSpec of(String name, TeleChat2Config c) {
        return new ModelSpec(name, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.ffnHiddenSize(),
                c.vocabSize(), Norm.RMS_NORM, Mlp.SWIGLU, Biases.OUTPUT_ONLY, false, 0, false, true);
    }

    /**
     * A Megatron GPT model as in Narayanan et al. 2021 (§1A): LayerNorm with bias, GeLU MLP of width 4h, biases
     * everywhere, tied embeddings, learned positions over {@code seq} rows, dropout, unfused attention.
     */
    public static ModelSpec megatronGpt(String name, int layers, int hidden, int heads, int vocab, int seq) {
        return new ModelSpec(name, layers, hidden, heads, heads, 4 * hidden, vocab, Norm.LAYER_NORM, Mlp.GELU,
                Biases.ALL, true, seq, true, false);
    }

    /** d_h = h / a. */
    public int headDim() {
        return hidden / heads;
    }

    /** Width of the query-key-value projection output: h + 2·g·d_h. */
    public long qkvWidth() {
        return hidden + 2L * kvHeads * headDim();
    }

    /** Parameters of one norm layer. */
    public long normParameters() {
        return norm == Norm.LAYER_NORM ? 2L * hidden : hidden;
    }

    /** Weight-matrix parameters of one layer (the ones in matrix multiplies): QKV, output, MLP. */
    public long layerMatrixParameters() {
        long h = hidden;
        return h * qkvWidth() + h * h + (mlp == Mlp.SWIGLU ? 3L : 2L) * h * ffn;
    }

    /**
     * Parameters of one transformer layer (§2.1): matrices, biases, two norms. GPT: 12h² + 13h; Llama:
     * h(h + 2g·d_h) + h² + 3hf + 2h; TeleChat2 adds the dense and down_proj biases (2h).
     */
    public long layerParameters() {
        long h = hidden;
        long b = switch (biases) {
            case ALL -> qkvWidth() + h + (mlp == Mlp.SWIGLU ? 2L * ffn : ffn) + h;
            case OUTPUT_ONLY -> 2 * h;
            case NONE -> 0;
        };
        return layerMatrixParameters() + b + 2 * normParameters();
    }

    /** Parameters outside the layers: embedding, position table, final norm, and the LM head if untied. */
    public long globalParameters() {
        long h = hidden;
        return (tiedEmbeddings ? 1 : 2) * (long) vocab * h + (long) learnedPositions * h + normParameters();
    }

    /** Total parameters (§2.1); GPT: 12lh² + 13lh + (V+s)h + 2h. */
    public long parameterCount() {
        return layers * layerParameters() + globalParameters();
    }

    /** The same model with a different name. */
    public ModelSpec named(String newName) {
        return new ModelSpec(newName, layers, hidden, heads, kvHeads, ffn, vocab, norm, mlp, biases, tiedEmbeddings,
                learnedPositions, dropout, flashAttention);
    }
}
