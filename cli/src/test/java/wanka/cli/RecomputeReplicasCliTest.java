package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

import wanka.train.plan.PlanFile;

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
        PlanFile ok1 = planFor(1, 2);
        ok1.write(plan);
        var ok = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("ok"), "--steps", "2", "--recompute", plan.toString());
        assertThat(ok.code()).as(ok.all()).isZero();
        planFor(8, 2).write(plan);
        var bad = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("bad"), "--steps", "2", "--recompute", plan.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.all()).contains("was made for tp 8, this run has 1");
        Files.writeString(plan, Files.readString(plan).replace("mlp-fc1-out", "mlp-gelu"));
        var badLabel = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("label"), "--steps", "2", "--recompute", plan.toString());
        assertThat(badLabel.all()).contains("stages[0].layers[1].recompute: unknown activation 'mlp-gelu'");
        var unknown = PretrainRunDirectoryTest.pretrain(shard, dir.resolve("unknown"), "--steps", "2", "--recompute", "most");
        assertThat(unknown.all()).contains("none of none, selective, full");
    }

    /** A plan for the nano test run (tp {@code tp}, one process): layer 0 recomputed whole, layer 1 its MLP activation. */
    static PlanFile planFor(int tp, int layers) {
        var layout = new PlanFile.LayoutEntry(1, tp, 1, 1, 2, 2, 16, 0, false, 1, false, new PlanFile.PrecisionEntry(4, 4, 8, 4));
        var entries = java.util.List.of(new PlanFile.LayerEntry(0, 0, java.util.List.of("attn-norm-out", "qkv", "attn-scores", "attn-context",
                "attn-residual", "mlp-norm-out", "mlp-fc1-out", "mlp-act-out"), java.util.List.of()), new PlanFile.LayerEntry(1, 0, java.util.List.of("mlp-fc1-out"), java.util.List.of()));
        return new PlanFile(PlanFile.FORMAT, "nano", 0, "cpu", 1, layout, "user", 0, java.util.List.of(new PlanFile.StageEntry(0, entries, 0, 0)),
                new PlanFile.Predicted(0, 0, 0, 0));
    }
}
