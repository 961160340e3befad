package wanka.train.recompute;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.train.parallel.ParallelLayout;
import wanka.train.plan.PlanFile;
import wanka.train.plan.TestPlans;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --recompute none|selective|full|FILE}: the named modes and the plan file ({@code wanka-plan/1}) as the trainer runs it. */
class RecomputePlanTest {
    @TempDir
    Path dir;

    Path file(String json) throws IOException {
        Path f = Files.createTempFile(dir, "plan", ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void namedModes() {
        assertThat(RecomputePlan.parse("none").any()).isFalse();
        assertThat(RecomputePlan.parse("selective").ops(7)).containsExactly(RecomputeOp.ATTENTION_CORE);
        assertThat(RecomputePlan.parse("full").ops(0)).containsExactly(RecomputeOp.FULL);
        assertThatThrownBy(() -> RecomputePlan.parse("most")).hasMessageContaining("none, selective, full");
    }

    @Test
    void planFileLabelsBecomeTheTrainersOps() throws IOException {
        Path f = TestPlans.write(dir.resolve("p.json"), TestPlans.layout(1, 1, 1, 2, 2, 16), 4,
                Map.of(0, TestPlans.WHOLE, 1, List.of("mlp-fc1-out", "attn-scores"), 2, List.of("attn-scores")));
        RecomputePlan p = RecomputePlan.parse(f.toString());
        assertThat(p.ops(0)).containsExactly(RecomputeOp.FULL);
        assertThat(p.ops(1)).isEqualTo(Set.of(RecomputeOp.ATTENTION_CORE, RecomputeOp.MLP_ACTIVATION));
        assertThat(p.ops(2)).containsExactly(RecomputeOp.ATTENTION_CORE);
        assertThat(p.ops(3)).isEmpty();
        assertThat(PlanFile.read(f)).isEqualTo(TestPlans.plan(TestPlans.layout(1, 1, 1, 2, 2, 16), 4,
                Map.of(0, TestPlans.WHOLE, 1, List.of("mlp-fc1-out", "attn-scores"), 2, List.of("attn-scores"))));
    }

    @Test
    void choicesTheTrainerCannotRunAreErrorsNamingTheEntry() throws IOException {
        Path f = TestPlans.write(dir.resolve("q.json"), TestPlans.layout(1, 1, 2, 2, 4, 16), 4, Map.of(3, List.of("qkv")));
        assertThatThrownBy(() -> RecomputePlan.parse(f.toString())).hasMessageContaining("stages[1].layers[1].recompute")
                .hasMessageContaining("cannot recompute 'qkv' on its own");
        PlanFile.LayoutEntry z2 = new PlanFile.LayoutEntry(2, 1, 1, 1, 1, 2, 16, 2, false, 1, false, new PlanFile.PrecisionEntry(4, 4, 8, 4));
        Path g = TestPlans.write(dir.resolve("z.json"), z2, 2, Map.of());
        assertThatThrownBy(() -> RecomputePlan.parse(g.toString())).hasMessageContaining("layout.zero is 2");
    }

    @Test
    void badFilesAreErrorsNamingTheField() throws IOException {
        assertThatThrownBy(() -> PlanFile.read(file("{\"format\": 1, \"layers\": []}"))).hasMessageContaining("format").hasMessageContaining("not a wanka-plan/1 plan file");
        String good = Files.readString(TestPlans.write(dir.resolve("g.json"), TestPlans.layout(1, 1, 1, 2, 2, 16), 2, Map.of()));
        assertThatThrownBy(() -> PlanFile.read(file(good.replace("\"attn-scores\"", "x").replace("\"recompute\" : [ ]", "\"recompute\" : [ \"softmax\" ]"))))
                .hasMessageContaining("stages[0].layers[0].recompute: unknown activation 'softmax'").hasMessageContaining("mlp-fc1-out");
        assertThatThrownBy(() -> PlanFile.read(file(good.replace("\"dp\" : 1", "\"dp\" : 0")))).hasMessageContaining("layout.dp must be >= 1, got 0");
        assertThatThrownBy(() -> PlanFile.read(file(good.replace("\"dp\" : 1", "\"dp\" : \"two\"")))).hasMessageContaining("layout.dp");
        assertThatThrownBy(() -> PlanFile.read(file(good.replace("\"layer\" : 1", "\"layer\" : 0")))).hasMessageContaining("stages[0].layers[1].layer 0 is also stages[0].layers[0]");
        assertThatThrownBy(() -> PlanFile.read(file(good.replaceFirst("\"layout\" : \\{", "\"layoutx\" : {")))).hasMessageContaining("layout is missing");
        assertThatThrownBy(() -> PlanFile.read(file("{\"format\": \"wanka-plan/1\", \"layout\": [1]}"))).hasMessageContaining("layout");
    }

    @Test
    void theLayoutAndLayerCountAreCheckedAgainstTheRun() throws IOException {
        PlanFile.LayoutEntry planned = new PlanFile.LayoutEntry(1, 2, 2, 1, 2, 8, 16, 0, true, 1, false, new PlanFile.PrecisionEntry(4, 4, 8, 4));
        Path f = TestPlans.write(dir.resolve("l.json"), planned, 6, Map.of(5, TestPlans.WHOLE));
        RecomputePlan p = RecomputePlan.parse(f.toString());
        ParallelLayout run = new ParallelLayout(2, 1, 1, 1, 2, 8, false, false, 1000, List.of());
        assertThat(p.problems(4, run.planFields())).containsExactlyInAnyOrder(
                "recompute plan " + p.source() + " names layer 4, the model has 4",
                "recompute plan " + p.source() + " names layer 5, the model has 4",
                "recompute plan " + p.source() + " was made for pp 2, this run has 1",
                "recompute plan " + p.source() + " was made for sequence_parallel true, this run has false");
    }
}
