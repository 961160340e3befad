package wanka.curate.dedup;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.pipeline.LocalExecutor;
import wanka.curate.pipeline.PipelineConfig;
import wanka.curate.pipeline.RunLayout;
import wanka.curate.pipeline.StepOptions;
import wanka.curate.pipeline.StepRegistry;
import wanka.curate.steps.BuiltinSteps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POEMS = "床前明月光疑是地上霜举头望明月低头思故乡白日依山尽黄河入海流欲穷千里目更上一层楼"
            + "春眠不觉晓处处闻啼鸟夜来风雨声花落知多少红豆生南国春来发几枝愿君多采撷此物最相思千山鸟飞绝万径人踪灭孤舟蓑笠翁独钓寒江雪";

    static String words(Random r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : i % 17 == 0 ? ". " : " ").append("w").append(r.nextInt(3000));
        return b.toString();
    }

    static String replaceWord(String t, int k, String with) {
        String[] w = t.split(" ");
        w[k] = with;
        return String.join(" ", w);
    }

    static void write(Path file, String... idText) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < idText.length; i += 2) lines.add(JSON.writeValueAsString(Map.of("id", idText[i], "text", idText[i + 1])));
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    static StepRegistry registry() {
        StepRegistry r = BuiltinSteps.registry();
        DedupSteps.register(r);
        return r;
    }

    static List<LocalExecutor.TaskResult> run(Path dir, String name, String steps, StepRegistry reg) throws Exception {
        Path yaml = Files.writeString(dir.resolve(name + ".yaml"), "input: {reader: jsonl, paths: [data/*.jsonl]}\nsteps:\n" + steps);
        return new LocalExecutor(PipelineConfig.read(yaml, reg), reg, new RunLayout(dir.resolve(name))).run(2, t -> { });
    }

    static List<String> ids(Path jsonl) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(jsonl)) out.add(JSON.readTree(l).get("id").asText());
        return out;
    }

    @Test
    void twoPassesWithStagesRemoveNearDuplicatesAcrossAndWithinTasks(@TempDir Path dir) throws Exception {
        Random r = new Random(11);
        String a = words(r, 200), u1 = words(r, 150), u2 = words(r, 150), u3 = words(r, 150);
        String[] aw = a.split(" ");
        write(dir.resolve("data/p0.jsonl"), "a1", a, "a2", u1, "a3", u1.toUpperCase().replace(".", " ,"), "a4", replaceWord(a, 100, "changed"));
        write(dir.resolve("data/p1.jsonl"), "b1", replaceWord(replaceWord(a, 3, "x"), 150, "y"), "b2", u2, "b3", POEMS);
        write(dir.resolve("data/p2.jsonl"), "c1", replaceWord(u2, 40, "edited"), "c2", POEMS.replace("孤舟", "小船"), "c3", u3,
                "c4", String.join(" ", Arrays.copyOf(aw, 190)), "c5", "!!! ...");
        StepRegistry reg = registry();
        Path mh = dir.resolve("mh");

        run(dir, "sigs", "  - {type: exact_dedup}\n  - {type: minhash_signatures, dir: '" + mh + "'}\n", reg);
        try (Stream<Path> s = Files.list(mh.resolve("sigs"))) {
            assertThat(s.count()).isEqualTo(14); // datatrove default: 14 bands x 8 rows
        }
        MinHashBuckets.Result b = MinHashBuckets.run(mh, 14, 2);
        assertThat(b.bandsMerged()).isEqualTo(14);
        MinHashClusters.Result c = MinHashClusters.run(mh);
        assertThat(c.docs()).isEqualTo(11); // a3 was dropped by exact_dedup before the signature step
        assertThat(c.clusters()).isEqualTo(3);
        assertThat(c.removed()).isEqualTo(5);
        byte[] before = Files.readAllBytes(IdList.path(mh.resolve("remove"), 2));

        // The stages resume / repeat: buckets skips finished bands, clusters rewrites the same lists.
        assertThat(MinHashBuckets.run(mh, 14, 2).bandsMerged()).isZero();
        MinHashClusters.run(mh);
        assertThat(Files.readAllBytes(IdList.path(mh.resolve("remove"), 2))).isEqualTo(before);

        List<LocalExecutor.TaskResult> pass2 = run(dir, "dedup", "  - {type: exact_dedup}\n  - {type: minhash_filter, dir: '" + mh + "'}\n  - {type: jsonl_writer}\n", reg);
        Path out = dir.resolve("dedup/output/documents");
        assertThat(ids(out.resolve("task-00000.jsonl"))).containsExactly("a1", "a2");
        assertThat(ids(out.resolve("task-00001.jsonl"))).containsExactly("b2", "b3");
        assertThat(ids(out.resolve("task-00002.jsonl"))).containsExactly("c3", "c5");
        assertThat(pass2.get(2).steps().get(1)).containsEntry("step", "minhash_filter");
        assertThat(pass2.get(2).steps().get(1).get("drop_reasons").toString()).contains("near_duplicate=3");
        assertThat(pass2.get(0).steps().get(0).get("drop_reasons").toString()).contains("exact_duplicate=1");
    }

    @Test
    void exactDuplicatesAcrossTasksUseTheSameStagesWithOneBand(@TempDir Path dir) throws Exception {
        write(dir.resolve("data/p0.jsonl"), "x1", "The same text.", "x2", "other text");
        write(dir.resolve("data/p1.jsonl"), "y1", "another one", "y2", "the SAME   text");
        StepRegistry reg = registry();
        Path ex = dir.resolve("ex");
        run(dir, "sigs", "  - {type: exact_dedup, cross_task: true, dir: '" + ex + "'}\n", reg);
        MinHashBuckets.run(ex, 1, 1);
        assertThat(MinHashClusters.run(ex).removed()).isEqualTo(1);
        run(dir, "dedup", "  - {type: exact_filter, dir: '" + ex + "'}\n  - {type: jsonl_writer}\n", reg);
        assertThat(ids(dir.resolve("dedup/output/documents/task-00001.jsonl"))).containsExactly("y1");
        assertThat(ids(dir.resolve("dedup/output/documents/task-00000.jsonl"))).containsExactly("x1", "x2");
    }

    @Test
    void errorsNameTheStepOptionOrFile(@TempDir Path dir) {
        StepRegistry reg = registry();
        RunLayout layout = new RunLayout(dir);
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "band", 3), layout, 0))
                .hasMessageContaining("step 'minhash_signatures': unknown option 'band'");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "rows", 0), layout, 0))
                .hasMessageContaining("minhash_signatures").hasMessageContaining("rows");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "shingle", "letters"), layout, 0))
                .hasMessageContaining("step 'minhash_signatures': option 'shingle' must be words or chars, got letters");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "ngram_cjk", 2), layout, 0))
                .hasMessageContaining("step 'minhash_signatures': option 'ngram_cjk' needs 'shingle: chars'");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "shingle", "chars", "ngram_cjk", 0), layout, 0))
                .hasMessageContaining("step 'minhash_signatures': option 'ngram_cjk' must be >= 1, got 0");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_signatures", "shingle", "chars", "ngram", "five"), layout, 0))
                .hasMessageContaining("step 'minhash_signatures': option 'ngram' must be a number, got five");
        assertThat(DedupSteps.params(StepOptions.of("minhash_signatures", "shingle", "chars"))).isEqualTo(MinHasher.Params.CHARS_DEFAULTS);
        assertThat(DedupSteps.params(StepOptions.of("minhash_signatures", "shingle", "chars", "ngram", 7, "bands", 9)))
                .isEqualTo(MinHasher.Params.chars(7, MinHasher.Params.CHARS_DEFAULTS.cjkNgram(), 9, MinHasher.Params.CHARS_DEFAULTS.rows(), 1));
        assertThat(DedupSteps.params(StepOptions.of("minhash_signatures"))).isEqualTo(MinHasher.Params.DEFAULTS);
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_filter"), layout, 0))
                .hasMessageContaining("option 'dir'");
        assertThatThrownBy(() -> reg.create(StepOptions.of("minhash_filter", "dir", dir.toString()), layout, 3))
                .hasMessageContaining(dir.resolve("remove/task-00003.bin").toString()).hasMessageContaining("MinHashClusters");
        assertThatThrownBy(() -> MinHashBuckets.run(dir, 14, 1)).hasMessageContaining(dir.resolve("sigs").toString());
    }
}
