package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pretrain --recompute} (one process and parallel) and {@code --replicas}. */
class RecomputeReplicasCliTest {

    @Test
    void parallelRunWithReplicasAndSelectiveRecompute(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir);
        var o = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("run"), "--steps", "2", "--tp", "2", "--micro-batch", "2", "--global-batch", "2",
                "--replicas", "2", "--recompute", "selective");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.log()).contains("replicas 2 recompute selective");
    }

    @Test
    void singleProcessPlanFileIsCheckedAgainstTheRun(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir);
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"format\": 1, \"layers\": [{\"layer\": 0, \"recompute\": [\"full\"]}, {\"layer\": 1, \"recompute\": [\"mlp_activation\"]}]}");
        var ok = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("ok"), "--steps", "2", "--recompute", plan.toString());
        assertThat(ok.code()).as(ok.all()).isZero();
        Files.writeString(plan, "{\"format\": 1, \"layout\": {\"tp\": 8}, \"layers\": []}");
        var bad = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("bad"), "--steps", "2", "--recompute", plan.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.all()).contains("was made for tp 8, this run has 1");
        var unknown = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("unknown"), "--steps", "2", "--recompute", "most");
        assertThat(unknown.all()).contains("none of none, selective, full");
    }
}
