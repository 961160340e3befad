package wanka.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.ParamRole;
import wanka.model.Presets;
import wanka.model.TeleChat2Config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightNamesTest {
    @TempDir
    Path dir;

    /** vocab 64, hidden 16, 2 layers, 4 heads (head size 4), 2 kv heads, ffn 24. */
    private static final TeleChat2Config SMALL = TeleChat2Config.of(64, 16, 2, 4, 2, 24, 32);

    private static Map<String, long[]> shapesOf(List<WeightSpec> specs) {
        Map<String, long[]> m = new LinkedHashMap<>();
        specs.forEach(w -> m.put(w.name(), w.shape()));
        return m;
    }

    @Test
    void namesAndShapesOfTheHfLayout() {
        List<WeightSpec> w = WeightNames.expected(SMALL);
        assertThat(w).hasSize(3 + 10 * 2);
        assertThat(w.getFirst()).isEqualTo(new WeightSpec("transformer.word_embeddings.weight", new long[]{64, 16}, ParamRole.EMBEDDING));
        assertThat(w.getLast()).isEqualTo(new WeightSpec("lm_head.weight", new long[]{64, 16}, ParamRole.HEAD));
        Map<String, long[]> s = shapesOf(w);
        assertThat(s.get("transformer.h.1.input_layernorm.weight")).containsExactly(16);
        assertThat(s.get("transformer.h.1.self_attention.query.weight")).containsExactly(16, 16);
        assertThat(s.get("transformer.h.1.self_attention.key_value.weight")).containsExactly(16, 16); // 2*2 heads*4
        assertThat(s.get("transformer.h.1.self_attention.dense.weight")).containsExactly(16, 16);
        assertThat(s.get("transformer.h.1.self_attention.dense.bias")).containsExactly(16);
        assertThat(s.get("transformer.h.1.post_attention_layernorm.weight")).containsExactly(16);
        assertThat(s.get("transformer.h.1.mlp.gate_proj.weight")).containsExactly(24, 16);
        assertThat(s.get("transformer.h.1.mlp.up_proj.weight")).containsExactly(24, 16);
        assertThat(s.get("transformer.h.1.mlp.down_proj.weight")).containsExactly(16, 24);
        assertThat(s.get("transformer.h.1.mlp.down_proj.bias")).containsExactly(16);
        assertThat(s.get("transformer.ln_f.weight")).containsExactly(16);
        assertThat(s.get("transformer.h.0.self_attention.key_value.bias")).isNull();
    }

    @Test
    void expectedWeightsAddUpToTheParameterCount() {
        for (String name : Presets.names()) {
            TeleChat2Config c = Presets.get(name);
            long sum = WeightNames.expected(c).stream().mapToLong(WeightSpec::numel).sum();
            assertThat(sum).as(name).isEqualTo(c.parameterCount());
        }
        assertThat(shapesOf(WeightNames.expected(Presets.get("telechat2-115b")))
                .get("transformer.h.95.self_attention.key_value.weight")).containsExactly(2048, 8192);
    }

    @Test
    void validatePassesForAMatchingCheckpoint() throws IOException {
        WeightNames.validate(SMALL, shapesOf(WeightNames.expected(SMALL)), dir);
        assertThat(WeightNames.problems(SMALL, shapesOf(WeightNames.expected(SMALL)))).isEmpty();
    }

    @Test
    void validateNamesMissingUnexpectedAndWrongShapedTensors() {
        Map<String, long[]> found = shapesOf(WeightNames.expected(SMALL));
        found.remove("lm_head.weight");
        found.put("transformer.h.0.mlp.down_proj.weight", new long[]{24, 16});
        found.put("transformer.h.0.self_attention.key_value.bias", new long[]{16});
        assertThat(WeightNames.problems(SMALL, found)).containsExactly(
                "tensor 'transformer.h.0.mlp.down_proj.weight' has shape [24, 16], expected [16, 24]",
                "missing tensor 'lm_head.weight' (expected shape [64, 16])",
                "unexpected tensor 'transformer.h.0.self_attention.key_value.bias' with shape [16]");
        assertThatThrownBy(() -> WeightNames.validate(SMALL, found, dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(dir + ": weights do not match the config: tensor 'transformer.h.0.mlp")
                .hasMessageContaining("missing tensor 'lm_head.weight'");
    }

    @Test
    void manyProblemsAreSummarised() {
        Map<String, long[]> found = shapesOf(WeightNames.expected(SMALL.withNumLayers(1)));
        assertThatThrownBy(() -> WeightNames.validate(SMALL, found, dir))
                .hasMessageContaining("missing tensor 'transformer.h.1.input_layernorm.weight'")
                .hasMessageEndingWith("; and 5 more problems");
    }

    @Test
    void aWrittenCheckpointValidates() throws IOException {
        List<NamedArray> arrays = WeightNames.expected(SMALL).stream()
                .map(w -> new NamedArray(w.name(), w.shape(), new float[(int) w.numel()])).toList();
        ModelFiles.write(dir, arrays, SafetensorsDType.F32, 4096);
        SMALL.write(dir.resolve("config.json"));
        TeleChat2Config config = TeleChat2Config.read(dir.resolve("config.json"));
        try (ModelFiles m = ModelFiles.open(dir)) {
            assertThat(m.files()).hasSizeGreaterThan(1);
            WeightNames.validate(config, m.shapes(), dir);
        }
    }
}
