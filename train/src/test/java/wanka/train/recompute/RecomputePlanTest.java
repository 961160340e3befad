package wanka.train.recompute;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.train.parallel.ParallelLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void planFileRoundTripsAndUnlistedLayersRecomputeNothing() throws IOException {
        RecomputePlan p = RecomputePlan.parse(file("""
                {"format": 1, "layers": [{"layer": 1, "recompute": ["mlp_activation", "attention_core"]}, {"layer": 3, "recompute": []}]}
                """).toString());
        assertThat(p.ops(0)).isEmpty();
        assertThat(p.ops(1)).isEqualTo(Set.of(RecomputeOp.ATTENTION_CORE, RecomputeOp.MLP_ACTIVATION));
        Path out = dir.resolve("written.json");
        p.write(out, 4);
        RecomputePlan back = RecomputePlan.read(out);
        for (int i = 0; i < 4; i++) assertThat(back.ops(i)).isEqualTo(p.ops(i));
    }

    @Test
    void badFilesAreErrorsNamingTheField() throws IOException {
        assertThatThrownBy(() -> RecomputePlan.read(file("{\"format\": 2, \"layers\": []}"))).hasMessageContaining("format must be 1");
        assertThatThrownBy(() -> RecomputePlan.read(file("{\"format\": 1, \"layers\": [{\"layer\": 0, \"recompute\": [\"softmax\"]}]}")))
                .hasMessageContaining("layer 0").hasMessageContaining("unknown recompute op 'softmax'").hasMessageContaining("attention_core");
        assertThatThrownBy(() -> RecomputePlan.read(file("{\"format\": 1, \"layers\": [{\"layer\": 0, \"recompute\": []}, {\"layer\": 0, \"recompute\": []}]}")))
                .hasMessageContaining("listed twice");
    }

    @Test
    void theLayoutAndLayerCountAreCheckedAgainstTheRun() throws IOException {
        RecomputePlan p = RecomputePlan.read(file("""
                {"format": 1, "layout": {"tp": 2, "pp": 2, "sequence_parallel": true, "nodes": 4}, "layers": [{"layer": 5, "recompute": ["full"]}]}
                """));
        ParallelLayout run = new ParallelLayout(2, 1, 1, 1, 2, 8, false, false, 1000, java.util.List.of());
        assertThat(p.problems(4, run.planFields())).containsExactlyInAnyOrder(
                "recompute plan " + p.source() + " names layer 5, the model has 4",
                "recompute plan " + p.source() + " was made for pp 2, this run has 1",
                "recompute plan " + p.source() + " was made for sequence_parallel true, this run has false",
                "recompute plan " + p.source() + ": unknown layout field 'nodes' (known: tp, dp, pp, vpp, micro_batch, global_batch, zero, sequence_parallel, replicas)");
    }
}
