package wanka.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.train.plan.PlanFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan file a training run will execute: written, read back, and the same choices and layout. */
class PlanFileTest {
    @Test
    void anOptimisedPlanRoundTripsWithEveryLayersChoice(@TempDir Path dir) throws Exception {
        ModelSpec m = ModelPresets.get("telechat2-115b");
        Cluster c = ClusterPresets.get("910b", 64);
        Layout lay = LayoutTest.layout(8, 8, 8, 3, 1, 1024);
        Plan p = Plan.optimized(m, LayerProfiles.of(m), c, lay, 40e9, Map.of());
        PlanFile f = PlanFiles.of(p);
        Path file = dir.resolve("sub/plan.json");
        f.write(file);
        PlanFile back = PlanFile.read(file);
        assertThat(back).isEqualTo(f);
        assertThat(PlanFiles.layout(back)).isEqualTo(p.layout());
        assertThat(back.stages()).hasSize(8);
        // Every model layer appears once, with the optimiser's choice for it.
        List<LayerRecompute> expect = new ArrayList<>(java.util.Collections.nCopies(m.layers(), (LayerRecompute) null));
        for (DeviceRecompute d : p.recompute().devices()) {
            for (int i = 0; i < d.layers().size(); i++) expect.set(d.layerIndices().get(i), d.layers().get(i));
        }
        assertThat(PlanFiles.layerChoices(back)).containsExactlyElementsOf(expect);
        assertThat(back.predicted().stepSeconds()).isEqualTo(p.time().total());
        assertThat(back.stages().getFirst().peakBytes()).isLessThanOrEqualTo(40e9);
        // Layer 0 is on rank 0, chunk 0; the first layer of rank 0's second chunk is 8 stages × 4 layers on.
        assertThat(back.stages().getFirst().layers().get(4).layer()).isEqualTo(32);
        assertThat(back.stages().getFirst().layers().get(4).chunk()).isEqualTo(1);
    }

    @Test
    void aUniformModeIsWrittenOnEveryLayer() {
        ModelSpec m = ModelPresets.get("gpt-145.6b");
        Layout lay = new Layout(24, 8, 8, 1, 1, 2304, 2048, ZeroStage.ZERO_0, false, 1, Recompute.SELECTIVE, false, Precision.MIXED_16);
        Plan p = Plan.of(m, LayerProfile.closedForm(m), ClusterPresets.get("a100-80", 192), lay);
        PlanFile f = PlanFiles.of(p);
        assertThat(f.recompute()).isEqualTo("selective");
        assertThat(PlanFiles.layerChoices(f)).hasSize(m.layers()).containsOnly(LayerRecompute.of(Recompute.SELECTIVE, m, 8, false));
        assertThat(PlanFiles.layerChoices(f).getFirst().recomputed()).containsExactly("attn-scores");
        assertThat(f.stages().getFirst().peakBytes()).isEqualTo(p.memory().total());
    }

    @Test
    void thePlanFilesLabelsAreThePlannersActivations() {
        assertThat(PlanFile.LABELS).containsExactlyElementsOf(java.util.Arrays.stream(SavedActivation.values()).map(SavedActivation::label).toList());
    }

    @Test
    void badFilesAndLabelsAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"format\":\"other/1\",\"stages\":[]}");
        assertThatThrownBy(() -> PlanFile.read(f)).hasMessageContaining("not a wanka-plan/1 plan file");
        assertThatThrownBy(() -> LayerRecompute.of(List.of("mlp-gelu"), List.of()))
                .hasMessageContaining("unknown activation 'mlp-gelu'").hasMessageContaining("mlp-act-out");
    }

    @Test
    void recomputeRequestsParse() {
        assertThat(RecomputeRequest.parse("full")).isEqualTo(new RecomputeRequest.Uniform(Recompute.FULL));
        assertThat(RecomputeRequest.parse("auto")).isEqualTo(new RecomputeRequest.PerOp(true, Map.of()));
        RecomputeRequest.PerOp user = (RecomputeRequest.PerOp) RecomputeRequest.parse("mlp-act-out, attn-norm-out:slice");
        assertThat(user.optimise()).isFalse();
        assertThat(user.constraints()).containsEntry(SavedActivation.MLP_ACT_OUT, Storage.RECOMPUTE)
                .containsEntry(SavedActivation.ATTN_NORM_OUT, Storage.SLICE).containsEntry(SavedActivation.QKV, Storage.KEEP);
        assertThat(((RecomputeRequest.PerOp) RecomputeRequest.parse("auto,qkv:keep")).constraints())
                .containsExactlyEntriesOf(Map.of(SavedActivation.QKV, Storage.KEEP));
        assertThatThrownBy(() -> RecomputeRequest.parse("sometimes")).hasMessageContaining("none, selective, full, auto");
        assertThatThrownBy(() -> RecomputeRequest.parse("qkv:maybe")).hasMessageContaining("keep, slice, recompute");
    }
}
