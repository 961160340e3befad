package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wanka pretrain --resume auto} with a parallel layout (issue 10): sharded checkpoints, resumed under another layout. */
class ParallelResumeTest {

    @Test
    void aParallelRunResumesUnderAnotherLayout(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir);
        Path out = dir.resolve("run");
        var first = PretrainRunDirectoryTest.pretrain(shard, out, "--steps", "4", "--checkpoint-every", "2", "--tp", "2", "--pp", "2",
                "--micro-batch", "2", "--global-batch", "4", "--async-checkpoints");
        assertThat(first.code()).as(first.all()).isZero();
        assertThat(out.resolve("checkpoints/step-00000004/rank-00003/shard.safetensors")).exists();
        assertThat(out.resolve("checkpoints/step-00000004/manifest.json")).exists();
        var refused = PretrainRunDirectoryTest.pretrain(shard, out, "--steps", "6", "--dp", "2");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.all()).contains("already holds a run").contains("--resume auto");
        var resumed = PretrainRunDirectoryTest.pretrain(shard, out, "--steps", "6", "--checkpoint-every", "2", "--keep-checkpoints", "2",
                "--dp", "2", "--micro-batch", "1", "--global-batch", "4", "--resume", "auto");
        assertThat(resumed.code()).as(resumed.all()).isZero();
        assertThat(resumed.all()).contains("resumed from " + out.resolve("checkpoints/step-00000004")).contains("written by tp2 dp1 pp2");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(6);
        assertThat(out.resolve("checkpoints/step-00000006")).exists();
        assertThat(out.resolve("checkpoints/step-00000002")).doesNotExist(); // kept the newest 2
    }
}
