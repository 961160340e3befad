package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wanka pretrain} with a parallel layout (issue 8): in-process ranks, per-rank logs, an HF model {@code generate} loads. */
class ParallelPretrainTest {

    @Test
    void tensorAndPipelineParallelRunSavesAModelGenerateLoads(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir);
        Path out = dir.resolve("run");
        var o = PretrainRunDirectoryTest.pretrain(shard, out, "--steps", "3", "--tp", "2", "--pp", "2", "--micro-batch", "1", "--global-batch", "2",
                "--sequence-parallel", "--zero", "--bucket-size", "100000");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.log()).contains("layout tp2 dp1 pp2").contains("on 4 ranks (in-process");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(3);
        for (int r = 0; r < 4; r++) {
            var lines = Files.readAllLines(out.resolve(String.format("ranks/rank-%05d.jsonl", r)));
            assertThat(lines).hasSize(3);
            assertThat(lines.getFirst()).contains("\"compute_ms\"").contains("\"exposed_comm_ms\"").contains("\"overlapped_comm_ms\"")
                    .contains("\"bubble_ms\"").contains("\"peak_bytes\"").contains("\"all_gather/tp\"");
        }
        String ids = CliTest.stdout(() -> {
            var g = CliTest.run("generate", "--model", out.resolve("model").toString(), "--prompt-ids", "1,50,60", "--print-ids", "--max-new-tokens", "4");
            assertThat(g.code()).as(g.err()).isZero();
        });
        assertThat(ids.strip()).matches("\\d+(,\\d+){3}");
    }

    @Test
    void aLayoutThatDoesNotFitIsRefusedWithTheReason(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir);
        var o = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("run"), "--steps", "1", "--tp", "3", "--pp", "3");
        assertThat(o.code()).isNotZero();
        assertThat(o.all()).contains("n_head 4 is not divisible by --tp 3").contains("vocab_size 100 is not divisible by --tp 3")
                .contains("n_layer 4 does not split evenly into pp 3");
        assertThat(dir.resolve("run/ranks")).doesNotExist();
    }
}
