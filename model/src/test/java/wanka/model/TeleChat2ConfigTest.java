package wanka.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TeleChat2ConfigTest {
    @TempDir
    Path dir;

    /** The fields of the GitHub TeleChat2-115B config.json (values from research/telechat2.md §1.1). */
    private static final String CONFIG_115B = """
            {
              "apply_residual_connection_post_layernorm": false,
              "architectures": ["TelechatForCausalLM"],
              "attention_dropout": 0.0,
              "bos_token_id": 1,
              "eos_token_id": 2,
              "hidden_dropout": 0.0,
              "hidden_size": 8192,
              "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-08,
              "model_type": "telechat",
              "n_head": 64,
              "n_inner": null,
              "num_key_value_heads": 8,
              "n_layer": 96,
              "pad_token_id": 3,
              "pretraining_tp": 2,
              "unk_token_id": 0,
              "vocab_size": 131072,
              "ffn_hidden_size": 40960,
              "flash_attn": true,
              "tie_word_embeddings": false,
              "training_seqlen": 8192,
              "base_seqlen": 8192,
              "seq_length": 8192
            }
            """;

    private Path file(String json) throws IOException {
        Path p = dir.resolve("config.json");
        Files.writeString(p, json);
        return p;
    }

    private static String minimal(String extra) {
        return "{\"vocab_size\": 64, \"hidden_size\": 16, \"n_layer\": 2, \"n_head\": 4, \"ffn_hidden_size\": 32"
                + extra + "}";
    }

    @Test
    void parameterCountsMatchTheTeleChat2Sizes() {
        // 115B: the safetensors index total_size 453,131,665,408 bytes is 4 bytes (fp32) times this count.
        assertThat(Presets.get("telechat2-115b").parameterCount()).isEqualTo(113_282_916_352L);
        assertThat(Presets.get("telechat2-115b").parameterCount() * 4).isEqualTo(453_131_665_408L);
        assertThat(Presets.get("telechat2-3b").parameterCount()).isEqualTo(3_070_528_512L);
        assertThat(Math.round(Presets.get("telechat2-7b").parameterCount() / 1e6)).isEqualTo(7617);
        assertThat(Math.round(Presets.get("telechat2-35b").parameterCount() / 1e6)).isEqualTo(35435);
    }

    @Test
    void presetsHaveTheTableValues() {
        TeleChat2Config c = Presets.get("telechat2-115b");
        assertThat(c.numHeads()).isEqualTo(64);
        assertThat(c.numKvHeads()).isEqualTo(8);
        assertThat(c.groupSize()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.kvDim()).isEqualTo(1024);
        assertThat(Presets.get("telechat2-7b").numKvHeads()).isEqualTo(32);
        assertThat(Presets.get("telechat2-3b").seqLength()).isEqualTo(32768);
        assertThat(Presets.get("small")).isEqualTo(TeleChat2Config.of(32000, 512, 8, 8, 2, 1376, 512));
        assertThat(Presets.get("base")).isEqualTo(TeleChat2Config.of(32000, 1024, 12, 16, 4, 2752, 1024));
        assertThat(Presets.get("nano").parameterCount()).isBetween(3_000_000L, 5_100_000L);
        for (String name : Presets.names()) {
            assertThat(Presets.get(name).headDim()).as(name).isIn(32, 64, 128);
        }
    }

    @Test
    void unknownPresetListsTheKnownNames() {
        assertThatThrownBy(() -> Presets.get("huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'huge'")
                .hasMessageContaining("nano, tiny, small, base, telechat2-3b, telechat2-7b, telechat2-35b, telechat2-115b");
    }

    @Test
    void flopsPerTokenIsMegatronStyleAsInTheTorchBenchmark() {
        // tiny: n_matmul = 4 * (2*256^2 + 2*64*256 + 3*688*256) + 8192*256 = 4,866,048 (torch_telechat.py's count)
        TeleChat2Config tiny = Presets.get("tiny");
        assertThat(tiny.matmulParameterCount()).isEqualTo(4_866_048L);
        assertThat(tiny.flopsPerToken(256)).isEqualTo(6 * 4_866_048L + 12L * 4 * 256 * 256);
    }

    @Test
    void readsThe115BConfig() throws IOException {
        TeleChat2Config c = TeleChat2Config.read(file(CONFIG_115B));
        assertThat(c).isEqualTo(Presets.get("telechat2-115b").withLayerNormEpsilon(1e-8));
        assertThat(c.maxPositionEmbeddings()).isEmpty();
    }

    @Test
    void absentKvHeadsMeansMultiHeadAttentionAndDefaultsApply() throws IOException {
        TeleChat2Config c = TeleChat2Config.read(file(minimal("")));
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.layerNormEpsilon()).isEqualTo(1e-5);
        assertThat(c.initializerRange()).isEqualTo(0.02);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.trainingSeqlen()).isEqualTo(8192);
        assertThat(c.baseSeqlen()).isEqualTo(8192);
        assertThat(c.seqLength()).isEqualTo(8192);
        assertThat(new int[]{c.bosTokenId(), c.eosTokenId(), c.padTokenId()}).containsExactly(1, 2, 3);
    }

    @Test
    void readsOptionalFields() throws IOException {
        TeleChat2Config c = TeleChat2Config.read(file(minimal(
                ", \"num_key_value_heads\": null, \"rope_theta\": 1000000, \"max_position_embeddings\": 32768,"
                        + " \"bos_token_id\": 5, \"torch_dtype\": \"bfloat16\", \"rope_scaling\": {\"type\": \"dynamic\"}")));
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.ropeTheta()).isEqualTo(1e6);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(OptionalInt.of(32768));
        assertThat(c.bosTokenId()).isEqualTo(5);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void writeThenReadGivesTheSameConfig() throws IOException {
        Path p = dir.resolve("out/config.json");
        for (String name : Presets.names()) {
            Presets.get(name).write(p);
            assertThat(TeleChat2Config.read(p)).as(name).isEqualTo(Presets.get(name));
        }
        TeleChat2Config odd = new TeleChat2Config(100, 24, 3, 6, 2, 40, 1e-6, 128, 64, 512, OptionalInt.of(1024),
                0.01, 500000.0, 0, 1, 2, false, "float16");
        odd.write(p);
        assertThat(TeleChat2Config.read(p)).isEqualTo(odd);
        try (var files = Files.list(p.getParent())) {
            assertThat(files).containsExactly(p);
        }
    }

    @Test
    void writtenConfigHasEveryFieldTheRemoteCodeReads() throws IOException {
        JsonNode json = new ObjectMapper().readTree(Presets.get("telechat2-7b").toJson());
        assertThat(json.get("model_type").asText()).isEqualTo("telechat");
        assertThat(json.get("architectures").get(0).asText()).isEqualTo("TeleChat2ForCausalLM");
        assertThat(json.get("auto_map").get("AutoConfig").asText()).isEqualTo("configuration_telechat2.Telechat2Config");
        assertThat(json.get("auto_map").get("AutoModelForCausalLM").asText())
                .isEqualTo("modeling_telechat2.Telechat2ForCausalLM");
        assertThat(json.get("apply_residual_connection_post_layernorm").asBoolean(true)).isFalse();
        assertThat(json.get("embed_layernorm").asBoolean(true)).isFalse();
        assertThat(json.get("tie_word_embeddings").asBoolean(true)).isFalse();
        assertThat(json.get("hidden_dropout").asDouble(1)).isZero();
        assertThat(json.get("attention_dropout").asDouble(1)).isZero();
        assertThat(json.get("flash_attn").isBoolean()).isTrue();
        assertThat(json.get("torch_dtype").asText()).isEqualTo("float32");
        assertThat(json.get("n_layer").asInt()).isEqualTo(30);
        assertThat(json.get("n_head").asInt()).isEqualTo(32);
        assertThat(json.get("num_key_value_heads").asInt()).isEqualTo(32);
        assertThat(json.get("ffn_hidden_size").asInt()).isEqualTo(12288);
        assertThat(json.get("training_seqlen").asInt()).isEqualTo(8192);
        assertThat(json.get("base_seqlen").asInt()).isEqualTo(8192);
        assertThat(json.get("seq_length").asInt()).isEqualTo(32768);
        assertThat(json.get("layer_norm_epsilon").asDouble()).isEqualTo(1e-5);
        assertThat(json.has("max_position_embeddings")).isFalse();
    }

    private void assertReadFails(String json, String... fragments) throws IOException {
        Path p = file(json);
        assertThatThrownBy(() -> TeleChat2Config.read(p))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(p.toString())
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void badConfigsGiveOneLineErrorsNamingFileAndField() throws IOException {
        assertReadFails("{\"hidden_size\": 16, \"n_layer\": 2, \"n_head\": 4, \"ffn_hidden_size\": 32}",
                "missing required field 'vocab_size'");
        assertReadFails(minimal(", \"n_layer\": \"2\"").replace("\"n_layer\": 2, ", ""),
                "field 'n_layer' must be an integer, got \"2\"");
        assertReadFails(minimal("").replace("\"n_layer\": 2", "\"n_layer\": 0"), "'n_layer' must be positive, got 0");
        assertReadFails(minimal(", \"num_key_value_heads\": 3"),
                "'n_head' (4) must be a multiple of 'num_key_value_heads' (3)");
        assertReadFails(minimal("").replace("\"n_head\": 4", "\"n_head\": 3"),
                "'hidden_size' (16) must be a multiple of 'n_head' (3)");
        assertReadFails(minimal(", \"layer_norm_epsilon\": \"1e-5\""), "'layer_norm_epsilon' must be a number");
        assertReadFails(minimal(", \"flash_attn\": 1"), "'flash_attn' must be true or false");
        assertReadFails(minimal(", \"tie_word_embeddings\": true"), "'tie_word_embeddings' is true");
        assertReadFails(minimal(", \"embed_layernorm\": true"), "'embed_layernorm' is true");
        assertReadFails(minimal(", \"model_type\": \"llama\""), "'model_type'", "not a TeleChat2 config");
        assertReadFails(minimal(", \"pad_token_id\": 64"), "'pad_token_id' must be in [0, vocab_size=64)");
        assertReadFails(minimal(", \"torch_dtype\": \"int8\""), "'torch_dtype'");
        assertReadFails("{\"vocab_size\": 64,", "not valid JSON");
        assertReadFails("[1, 2]", "not a JSON object");
    }

    @Test
    void constructorRejectsBadValues() {
        assertThatThrownBy(() -> TeleChat2Config.of(64, 16, 2, 4, 4, -1, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field 'ffn_hidden_size' must be positive, got -1");
        assertThatThrownBy(() -> TeleChat2Config.of(64, 12, 2, 4, 4, 8, 8))
                .hasMessageContaining("must be even");
        assertThatThrownBy(() -> TeleChat2Config.of(64, 16, 2, 4, 4, 8, 8).withLayerNormEpsilon(Double.NaN))
                .hasMessageContaining("'layer_norm_epsilon' must be positive and finite");
    }

    @Test
    void withCopiesChangeOneThing() {
        TeleChat2Config c = Presets.get("tiny");
        assertThat(c.withVocabSize(100).vocabSize()).isEqualTo(100);
        assertThat(c.withNumLayers(1).numLayers()).isEqualTo(1);
        assertThat(c.withNumKvHeads(8).numKvHeads()).isEqualTo(8);
        assertThat(c.withSeqLen(64)).extracting(TeleChat2Config::trainingSeqlen, TeleChat2Config::baseSeqlen,
                TeleChat2Config::seqLength).containsExactly(64, 64, 64);
        assertThat(c.withRopeTheta(5.0).ropeTheta()).isEqualTo(5.0);
        assertThat(c.withTorchDtype("bfloat16").torchDtype()).isEqualTo("bfloat16");
        assertThat(c.withNumLayers(c.numLayers())).isEqualTo(c);
    }
}
