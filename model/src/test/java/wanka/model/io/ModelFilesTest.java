package wanka.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFilesTest {
    @TempDir
    Path dir;

    /** Five tensors of 10 floats (40 bytes) each, with distinct values. */
    private static List<NamedArray> arrays() {
        List<NamedArray> out = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            float[] v = new float[10];
            for (int i = 0; i < v.length; i++) {
                v[i] = t * 100 + i + 0.5f;
            }
            out.add(new NamedArray("w" + t, new long[]{2, 5}, v));
        }
        return out;
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertReadsBack(List<NamedArray> expected) throws IOException {
        try (ModelFiles m = ModelFiles.open(dir)) {
            assertThat(m.names()).containsExactlyInAnyOrderElementsOf(expected.stream().map(NamedArray::name).toList());
            for (NamedArray a : expected) {
                assertThat(m.readFloats(a.name())).as(a.name()).containsExactly(a.data());
                assertThat(m.shapes().get(a.name())).isEqualTo(a.shape());
                assertThat(m.segment(a.name()).byteSize()).isEqualTo(40);
            }
        }
    }

    @Test
    void writesOneFileWhenItFits() throws IOException {
        List<Path> written = ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 200);
        assertThat(written).containsExactly(dir.resolve("model.safetensors"));
        assertThat(listing()).containsExactly("model.safetensors");
        assertReadsBack(arrays());
    }

    @Test
    void writesShardsAndIndexWhenTooLarge() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        assertThat(listing()).containsExactly("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(200);
        assertThat(index.get("weight_map").get("w0").asText()).isEqualTo("model-00001-of-00003.safetensors");
        assertThat(index.get("weight_map").get("w2").asText()).isEqualTo("model-00002-of-00003.safetensors");
        assertThat(index.get("weight_map").get("w4").asText()).isEqualTo("model-00003-of-00003.safetensors");
        assertReadsBack(arrays());
        try (ModelFiles m = ModelFiles.open(dir)) {
            assertThat(m.files()).hasSize(3);
        }
    }

    @Test
    void aTensorLargerThanTheShardSizeGetsItsOwnShard() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 10);
        assertThat(listing()).hasSize(6).contains("model-00005-of-00005.safetensors");
        assertReadsBack(arrays());
    }

    @Test
    void rewritingRemovesTheFilesOfTheOldLayout() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 1000);
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        assertThat(listing()).doesNotContain("model.safetensors").hasSize(4);
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 120);
        assertThat(listing()).containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json");
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 1000);
        assertThat(listing()).containsExactly("model.safetensors");
        assertReadsBack(arrays());
    }

    @Test
    void bf16Checkpoint() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.BF16, 1000);
        try (ModelFiles m = ModelFiles.open(dir)) {
            assertThat(m.info("w1").dtype()).isEqualTo(SafetensorsDType.BF16);
            assertThat(m.readFloats("w1")[3]).isEqualTo(103.5f);
        }
    }

    private void assertOpenFails(String... fragments) {
        assertThatThrownBy(() -> ModelFiles.open(dir).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void emptyDirectory() {
        assertOpenFails(dir.toString(), "no model.safetensors and no model.safetensors.index.json");
    }

    @Test
    void missingShard() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        assertOpenFails(dir.resolve("model.safetensors.index.json").toString(),
                "shard 'model-00002-of-00003.safetensors'", "does not exist");
    }

    @Test
    void tensorListedInIndexButAbsentFromItsShard() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"w4\"", "\"w9\" : \"model-00003-of-00003.safetensors\","
                + " \"w4\""));
        assertOpenFails(index.toString(), "tensor 'w9' is listed in shard 'model-00003-of-00003.safetensors'",
                "no such tensor");
    }

    @Test
    void tensorInShardButNotListedInIndex() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replaceAll("\"w3\"\\s*:\\s*\"[^\"]+\",\\s*", ""));
        assertOpenFails("shard 'model-00002-of-00003.safetensors' holds tensor 'w3'", "does not list");
    }

    @Test
    void malformedIndex() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": ");
        assertOpenFails(index.toString(), "not valid JSON");
        Files.writeString(index, "{\"metadata\": {}}");
        assertOpenFails("missing object field 'weight_map'");
        Files.writeString(index, "{\"weight_map\": {\"w\": \"../outside.safetensors\"}}");
        assertOpenFails("weight_map entry 'w' must be the file name of a shard");
    }

    @Test
    void corruptShardNamesTheShard() throws IOException {
        ModelFiles.write(dir, arrays(), SafetensorsDType.F32, 80);
        Path shard = dir.resolve("model-00001-of-00003.safetensors");
        Files.write(shard, new byte[3]);
        assertOpenFails(shard.toString(), "truncated");
    }
}
