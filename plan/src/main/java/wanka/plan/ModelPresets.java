package wanka.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import wanka.model.Presets;
import wanka.model.TeleChat2Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named models the planner knows, and reading a model from a Hugging Face {@code config.json}.
 *
 * <ul>
 *   <li>{@code nano}, {@code tiny}, {@code small}, {@code base}: wanka's own small TeleChat2 presets ({@link Presets}), to
 *       plan wanka's runs on this machine.</li>
 *   <li>{@code telechat2-3b/7b/35b/115b}: the released TeleChat2 configs ({@code research/telechat2.md} §1.1,
 *       through {@link Presets}).</li>
 *   <li>{@code telechat2-1t}: a TeleChat2-style trillion-parameter model of our own choosing (no config is
 *       published): h 20480, 160 layers, 160 heads of 128, 16 kv heads (GQA as in 115B; 16 so that TP 16
 *       divides them), SwiGLU width 86016 (4.2h, between 7B's 3h and 115B's 5h; a multiple of 1024), vocabulary
 *       131072. That is 998.6 B parameters; 160 layers divide by pipeline depths 2–32, 40, 80 and 160.</li>
 *   <li>{@code gpt-1.7b … gpt-1008b}: the ten Megatron GPT models of Narayanan et al. 2021 Table 1 (§1A), V 51200,
 *       s 2048; {@code gpt-175b} is GPT-3 175B as in vTrain's data (§1G).</li>
 *   <li>{@code llama3-8b/70b/405b}: Llama 3 (RMSNorm, GQA, SwiGLU, untied, no biases), the §2.1 check.</li>
 * </ul>
 */
public final class ModelPresets {
    /** Megatron GPT vocabulary (50257 padded) used in §1A and vTrain. */
    public static final int GPT_VOCAB = 51200;
    /** Sequence length (and learned position rows) of the Megatron GPT runs. */
    public static final int GPT_SEQ = 2048;

    private static final Map<String, ModelSpec> PRESETS = build();

    private ModelPresets() {
    }

    private static Map<String, ModelSpec> build() {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        for (String n : List.of("nano", "tiny", "small", "base", "telechat2-3b", "telechat2-7b", "telechat2-35b", "telechat2-115b")) {
            m.put(n, ModelSpec.of(n, Presets.get(n)));
        }
        m.put("telechat2-1t", ModelSpec.of("telechat2-1t", TeleChat2Config.of(131072, 20480, 160, 160, 16, 86016, 8192)));
        gpt(m, "gpt-1.7b", 24, 2304, 24);
        gpt(m, "gpt-3.6b", 30, 3072, 32);
        gpt(m, "gpt-7.5b", 36, 4096, 32);
        gpt(m, "gpt-18.4b", 40, 6144, 48);
        gpt(m, "gpt-39.1b", 48, 8192, 64);
        gpt(m, "gpt-76.1b", 60, 10240, 80);
        gpt(m, "gpt-145.6b", 80, 12288, 96);
        gpt(m, "gpt-175b", 96, 12288, 96);
        gpt(m, "gpt-310.1b", 96, 16384, 128);
        gpt(m, "gpt-529.6b", 105, 20480, 128);
        gpt(m, "gpt-1008b", 128, 25600, 160);
        llama(m, "llama3-8b", 32, 4096, 32, 8, 14336);
        llama(m, "llama3-70b", 80, 8192, 64, 8, 28672);
        llama(m, "llama3-405b", 126, 16384, 128, 8, 53248);
        return Collections.unmodifiableMap(m);
    }

    private static void gpt(Map<String, ModelSpec> m, String name, int l, int h, int a) {
        m.put(name, ModelSpec.megatronGpt(name, l, h, a, GPT_VOCAB, GPT_SEQ));
    }

    private static void llama(Map<String, ModelSpec> m, String name, int l, int h, int a, int g, int f) {
        m.put(name, new ModelSpec(name, l, h, a, g, f, 128256, ModelSpec.Norm.RMS_NORM, ModelSpec.Mlp.SWIGLU,
                ModelSpec.Biases.NONE, false, 0, false, true));
    }

    /**
     * @return the preset of this name
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ModelSpec get(String name) {
        ModelSpec s = PRESETS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names())
                    + " (or a path to a Hugging Face config.json)");
        }
        return s;
    }

    /** @return the preset names */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /**
     * A preset name, or a path to a {@code config.json}: TeleChat2 ({@code model_type} telechat/telechat2) through
     * {@link TeleChat2Config#read}, or a Llama-family config (llama, mistral, qwen2, …: {@code num_hidden_layers},
     * {@code hidden_size}, {@code num_attention_heads}, {@code num_key_value_heads}, {@code intermediate_size},
     * {@code vocab_size}, {@code tie_word_embeddings}), costed as RMSNorm + SwiGLU without biases.
     */
    public static ModelSpec resolve(String nameOrPath) throws IOException {
        if (PRESETS.containsKey(nameOrPath)) return PRESETS.get(nameOrPath);
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) p = p.resolve("config.json");
        if (!Files.isRegularFile(p)) return get(nameOrPath);
        JsonNode root = JsonMapper.builder().build().readTree(p.toFile());
        String type = root.path("model_type").asText("telechat");
        String name = p.toAbsolutePath().getParent().getFileName() + "";
        if (type.startsWith("telechat")) return ModelSpec.of(name, TeleChat2Config.read(p));
        int heads = required(p, root, "num_attention_heads");
        try {
            return new ModelSpec(name, required(p, root, "num_hidden_layers"), required(p, root, "hidden_size"), heads,
                    root.path("num_key_value_heads").asInt(heads), required(p, root, "intermediate_size"),
                    required(p, root, "vocab_size"), ModelSpec.Norm.RMS_NORM, ModelSpec.Mlp.SWIGLU,
                    ModelSpec.Biases.NONE, root.path("tie_word_embeddings").asBoolean(false), 0, false, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
        }
    }

    private static int required(Path p, JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new IllegalArgumentException(p + ": missing integer field '" + field + "' (model_type "
                    + root.path("model_type").asText("?") + ")");
        }
        return n.intValue();
    }
}
