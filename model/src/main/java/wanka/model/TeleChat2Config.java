package wanka.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import wanka.io.AtomicFiles;
import wanka.model.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The hyper-parameters of a TeleChat2 model, as in the Hugging Face {@code config.json} of the TeleChat2 remote code
 * ({@code model_type "telechat"}). JSON names are given per component.
 *
 * <p>The architecture is fixed: pre-RMSNorm decoder, RoPE (rotate_half), SwiGLU MLP, grouped-query attention,
 * untied embeddings and lm_head, biases only on the attention output ({@code dense}) and {@code down_proj}.
 * {@code rope_scaling} is not read; the remote code's dynamic NTK past {@code training_seqlen} depends only on
 * {@code training_seqlen} and {@code base_seqlen}.
 *
 * @param vocabSize             {@code vocab_size}
 * @param hiddenSize            {@code hidden_size} (alias {@code n_embed})
 * @param numLayers             {@code n_layer} (alias {@code num_hidden_layers})
 * @param numHeads              {@code n_head} (alias {@code num_attention_heads}): query heads
 * @param numKvHeads            {@code num_key_value_heads}; absent or null means {@code n_head} (MHA)
 * @param ffnHiddenSize         {@code ffn_hidden_size}: SwiGLU inner width
 * @param layerNormEpsilon      {@code layer_norm_epsilon} (default 1e-5): RMSNorm epsilon
 * @param trainingSeqlen        {@code training_seqlen} (default 8192): length trained at; RoPE NTK starts past it
 * @param baseSeqlen            {@code base_seqlen} (default {@code training_seqlen}): reference of the NTK alpha
 * @param seqLength             {@code seq_length} (default {@code training_seqlen}): generation budget
 * @param maxPositionEmbeddings {@code max_position_embeddings}, if the file has it
 * @param initializerRange      {@code initializer_range} (default 0.02): std of the normal weight init
 * @param ropeTheta             {@code rope_theta} (default 10000, hard-coded in the TeleChat2 remote code)
 * @param bosTokenId            {@code bos_token_id} (default 1)
 * @param eosTokenId            {@code eos_token_id} (default 2)
 * @param padTokenId            {@code pad_token_id} (default 3)
 * @param flashAttn             {@code flash_attn} (default true, as in every TeleChat2 config)
 * @param torchDtype            {@code torch_dtype}: "float32" (default), "bfloat16" or "float16"
 */
public record TeleChat2Config(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int ffnHiddenSize,
        double layerNormEpsilon,
        int trainingSeqlen,
        int baseSeqlen,
        int seqLength,
        OptionalInt maxPositionEmbeddings,
        double initializerRange,
        double ropeTheta,
        int bosTokenId,
        int eosTokenId,
        int padTokenId,
        boolean flashAttn,
        String torchDtype) {

    /** Default RMSNorm epsilon. */
    public static final double DEFAULT_EPSILON = 1e-5;
    /** Default RoPE base. */
    public static final double DEFAULT_ROPE_THETA = 10000.0;
    /** Default init std. */
    public static final double DEFAULT_INITIALIZER_RANGE = 0.02;
    private static final Set<String> TORCH_DTYPES = Set.of("float32", "bfloat16", "float16");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the JSON field: a size is not positive, {@code hidden_size}
     *                                  is not a multiple of {@code n_head}, {@code n_head} not a multiple of
     *                                  {@code num_key_value_heads}, the head size is odd, a token id is outside the
     *                                  vocabulary, a real value is not positive and finite, or the dtype is unknown
     */
    public TeleChat2Config {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("n_layer", numLayers);
        positive("n_head", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("ffn_hidden_size", ffnHiddenSize);
        positive("training_seqlen", trainingSeqlen);
        positive("base_seqlen", baseSeqlen);
        positive("seq_length", seqLength);
        if (maxPositionEmbeddings == null) {
            throw new IllegalArgumentException("maxPositionEmbeddings must be OptionalInt.empty(), not null");
        }
        if (maxPositionEmbeddings.isPresent()) {
            positive("max_position_embeddings", maxPositionEmbeddings.getAsInt());
        }
        positiveFinite("layer_norm_epsilon", layerNormEpsilon);
        positiveFinite("initializer_range", initializerRange);
        positiveFinite("rope_theta", ropeTheta);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("field 'hidden_size' (" + hiddenSize
                    + ") must be a multiple of 'n_head' (" + numHeads + ")");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("field 'n_head' (" + numHeads
                    + ") must be a multiple of 'num_key_value_heads' (" + numKvHeads + ")");
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("head size hidden_size/n_head = " + (hiddenSize / numHeads)
                    + " must be even for RoPE");
        }
        tokenId("bos_token_id", bosTokenId, vocabSize);
        tokenId("eos_token_id", eosTokenId, vocabSize);
        tokenId("pad_token_id", padTokenId, vocabSize);
        if (torchDtype == null || !TORCH_DTYPES.contains(torchDtype)) {
            throw new IllegalArgumentException("field 'torch_dtype' must be one of " + TORCH_DTYPES + ", got "
                    + torchDtype);
        }
    }

    /**
     * A config with TeleChat2 defaults: epsilon 1e-5, {@code training_seqlen = base_seqlen = seq_length = seqLen},
     * init 0.02, RoPE base 10000, bos/eos/pad 1/2/3, flash_attn true, float32.
     */
    public static TeleChat2Config of(int vocabSize, int hiddenSize, int numLayers, int numHeads, int numKvHeads,
                                     int ffnHiddenSize, int seqLen) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize,
                DEFAULT_EPSILON, seqLen, seqLen, seqLen, OptionalInt.empty(), DEFAULT_INITIALIZER_RANGE,
                DEFAULT_ROPE_THETA, 1, 2, 3, true, "float32");
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("field '" + field + "' must be positive, got " + value);
        }
    }

    private static void positiveFinite(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("field '" + field + "' must be positive and finite, got " + value);
        }
    }

    private static void tokenId(String field, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("field '" + field + "' must be in [0, vocab_size=" + vocabSize
                    + "), got " + id);
        }
    }

    // ---- derived sizes ----

    /** @return hidden_size / n_head */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** @return num_key_value_heads * head_dim: the width of K (and of V) */
    public int kvDim() {
        return numKvHeads * headDim();
    }

    /** @return query heads per kv head */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /**
     * @return the exact number of parameters: embeddings, lm_head, final norm, and per layer two norms, query,
     * key_value, dense (+ bias), gate, up, down (+ bias)
     */
    public long parameterCount() {
        long h = hiddenSize;
        long perLayer = 2 * h + h * h + 2L * kvDim() * h + (h * h + h) + 2L * ffnHiddenSize * h
                + ((long) ffnHiddenSize * h + h);
        return 2L * vocabSize * h + h + numLayers * perLayer;
    }

    /**
     * @return the weights that take part in matrix multiplies: per layer query, key_value, dense, gate, up, down
     * (no biases, no norms), plus lm_head; not the embedding table (a lookup)
     */
    public long matmulParameterCount() {
        long h = hiddenSize;
        long perLayer = 2 * h * h + 2L * kvDim() * h + 3L * ffnHiddenSize * h;
        return numLayers * perLayer + (long) vocabSize * h;
    }

    /**
     * Training FLOPs per token, Megatron style as in {@code bench/torch_telechat.py}:
     * {@code 6 * matmulParameterCount() + 12 * n_layer * hidden_size * seqLen} (forward + backward, causal
     * attention counted as full).
     */
    public long flopsPerToken(int seqLen) {
        return 6 * matmulParameterCount() + 12L * numLayers * hiddenSize * seqLen;
    }

    // ---- copies ----

    /** @return a copy with another vocabulary size */
    public TeleChat2Config withVocabSize(int v) {
        return new TeleChat2Config(v, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize, layerNormEpsilon,
                trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange, ropeTheta,
                bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with another number of layers */
    public TeleChat2Config withNumLayers(int n) {
        return new TeleChat2Config(vocabSize, hiddenSize, n, numHeads, numKvHeads, ffnHiddenSize, layerNormEpsilon,
                trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange, ropeTheta,
                bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with another number of kv heads */
    public TeleChat2Config withNumKvHeads(int n) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, n, ffnHiddenSize, layerNormEpsilon,
                trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange, ropeTheta,
                bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with {@code training_seqlen = base_seqlen = seq_length = n} */
    public TeleChat2Config withSeqLen(int n) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize,
                layerNormEpsilon, n, n, n, maxPositionEmbeddings, initializerRange, ropeTheta,
                bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with another RMSNorm epsilon */
    public TeleChat2Config withLayerNormEpsilon(double eps) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize, eps,
                trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange, ropeTheta,
                bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with another RoPE base */
    public TeleChat2Config withRopeTheta(double theta) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize,
                layerNormEpsilon, trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange,
                theta, bosTokenId, eosTokenId, padTokenId, flashAttn, torchDtype);
    }

    /** @return a copy with another {@code torch_dtype} ("float32", "bfloat16", "float16") */
    public TeleChat2Config withTorchDtype(String dtype) {
        return new TeleChat2Config(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, ffnHiddenSize,
                layerNormEpsilon, trainingSeqlen, baseSeqlen, seqLength, maxPositionEmbeddings, initializerRange,
                ropeTheta, bosTokenId, eosTokenId, padTokenId, flashAttn, dtype);
    }

    // ---- config.json ----

    /**
     * Reads a Hugging Face TeleChat2 {@code config.json}.
     *
     * @throws ModelFormatException one line naming the file and field: invalid JSON, a missing required field
     *                              (vocab_size, hidden_size, n_layer, n_head, ffn_hidden_size), a wrong type, an
     *                              invalid value (see the constructor), a {@code model_type} other than "telechat"/
     *                              "telechat2", or a feature TeleChat2 does not have ({@code tie_word_embeddings},
     *                              {@code embed_layernorm}, {@code apply_residual_connection_post_layernorm} true)
     */
    public static TeleChat2Config read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(configJson, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(configJson + ": not valid JSON: "
                    + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " "), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson + ": not a JSON object");
        }
        Fields f = new Fields(configJson, root);
        String modelType = f.string("model_type", "telechat");
        if (!modelType.equals("telechat") && !modelType.equals("telechat2")) {
            throw f.error("model_type", "is '" + modelType + "', not a TeleChat2 config (expected 'telechat')");
        }
        for (String unsupported : List.of("tie_word_embeddings", "embed_layernorm",
                "apply_residual_connection_post_layernorm")) {
            if (f.bool(unsupported, false)) {
                throw f.error(unsupported, "is true, but TeleChat2 has no such variant (must be false)");
            }
        }
        int numHeads = f.requiredInt("n_head", "num_attention_heads");
        int trainingSeqlen = f.integer("training_seqlen", 8192);
        try {
            return new TeleChat2Config(
                    f.requiredInt("vocab_size"),
                    f.requiredInt("hidden_size", "n_embed"),
                    f.requiredInt("n_layer", "num_hidden_layers"),
                    numHeads,
                    f.integer("num_key_value_heads", numHeads),
                    f.requiredInt("ffn_hidden_size"),
                    f.number("layer_norm_epsilon", DEFAULT_EPSILON),
                    trainingSeqlen,
                    f.integer("base_seqlen", trainingSeqlen),
                    f.integer("seq_length", trainingSeqlen),
                    f.has("max_position_embeddings")
                            ? OptionalInt.of(f.requiredInt("max_position_embeddings")) : OptionalInt.empty(),
                    f.number("initializer_range", DEFAULT_INITIALIZER_RANGE),
                    f.number("rope_theta", DEFAULT_ROPE_THETA),
                    f.integer("bos_token_id", 1),
                    f.integer("eos_token_id", 2),
                    f.integer("pad_token_id", 3),
                    f.bool("flash_attn", true),
                    f.string("torch_dtype", "float32"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return a {@code config.json} the TeleChat2 remote code ({@code configuration_telechat2.Telechat2Config},
     * {@code modeling_telechat2.Telechat2ForCausalLM}) accepts: every field it reads, including the ones that must
     * stay at their neutral values (dropouts 0, no post-layernorm residual, no embedding layernorm), keys sorted as
     * transformers writes them
     */
    public String toJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of("TeleChat2ForCausalLM"));
        Map<String, String> autoMap = new LinkedHashMap<>();
        autoMap.put("AutoConfig", "configuration_telechat2.Telechat2Config");
        autoMap.put("AutoModelForCausalLM", "modeling_telechat2.Telechat2ForCausalLM");
        m.put("auto_map", autoMap);
        m.put("model_type", "telechat");
        m.put("apply_residual_connection_post_layernorm", false);
        m.put("attention_dropout", 0.0);
        m.put("hidden_dropout", 0.0);
        m.put("embed_layernorm", false);
        m.put("logn", false);
        m.put("flash_attn", flashAttn);
        m.put("tie_word_embeddings", false);
        m.put("use_cache", true);
        m.put("vocab_size", vocabSize);
        m.put("hidden_size", hiddenSize);
        m.put("n_layer", numLayers);
        m.put("n_head", numHeads);
        m.put("num_key_value_heads", numKvHeads);
        m.put("ffn_hidden_size", ffnHiddenSize);
        m.put("layer_norm_epsilon", layerNormEpsilon);
        m.put("training_seqlen", trainingSeqlen);
        m.put("base_seqlen", baseSeqlen);
        m.put("seq_length", seqLength);
        maxPositionEmbeddings.ifPresent(v -> m.put("max_position_embeddings", v));
        m.put("initializer_range", initializerRange);
        m.put("rope_theta", ropeTheta);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        m.put("pad_token_id", padTokenId);
        m.put("torch_dtype", torchDtype);
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise config", e);
        }
    }

    /** Writes {@link #toJson()} to {@code configJson} atomically (temporary file + rename). */
    public void write(Path configJson) throws IOException {
        AtomicFiles.write(configJson, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Typed access to the fields of a config.json, with one-line errors naming the file and field. */
    private record Fields(Path file, JsonNode root) {
        ModelFormatException error(String field, String problem) {
            return new ModelFormatException(file + ": field '" + field + "' " + problem);
        }

        boolean has(String field) {
            JsonNode n = root.get(field);
            return n != null && !n.isNull();
        }

        /** @return the first present name among {@code field} and its aliases, or null */
        private String present(String field, String... aliases) {
            if (has(field)) {
                return field;
            }
            for (String a : aliases) {
                if (has(a)) {
                    return a;
                }
            }
            return null;
        }

        int requiredInt(String field, String... aliases) throws ModelFormatException {
            String name = present(field, aliases);
            if (name == null) {
                throw new ModelFormatException(file + ": missing required field '" + field + "'");
            }
            return toInt(name);
        }

        int integer(String field, int fallback) throws ModelFormatException {
            return has(field) ? toInt(field) : fallback;
        }

        private int toInt(String field) throws ModelFormatException {
            JsonNode n = root.get(field);
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw error(field, "must be an integer, got " + shortText(n));
            }
            return n.intValue();
        }

        double number(String field, double fallback) throws ModelFormatException {
            if (!has(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isNumber()) {
                throw error(field, "must be a number, got " + shortText(n));
            }
            return n.doubleValue();
        }

        boolean bool(String field, boolean fallback) throws ModelFormatException {
            if (!has(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isBoolean()) {
                throw error(field, "must be true or false, got " + shortText(n));
            }
            return n.booleanValue();
        }

        String string(String field, String fallback) throws ModelFormatException {
            if (!has(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isTextual()) {
                throw error(field, "must be a string, got " + shortText(n));
            }
            return n.textValue();
        }

        private static String shortText(JsonNode n) {
            String s = n.toString();
            return s.length() <= 40 ? s : s.substring(0, 37) + "...";
        }
    }
}
