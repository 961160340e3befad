package wanka.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.Presets;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input (issue 9): every reason a layout cannot exist is reported, not simulated; a layout that does not fit says
 * by how much and which component dominates, on the CPU profile too; unknown names list the known ones.
 */
class BadInputTest {
    static final ModelSpec M7 = ModelPresets.get("telechat2-7b");
    static final Cluster ONE_NODE = ClusterPresets.get("a100-80", 1);

    static Layout lay(int d, int t, int p, int v, int b, int global, boolean sp, int replicas) {
        return new Layout(d, t, p, v, b, global, 4096, ZeroStage.ZERO_1, sp, replicas, Recompute.SELECTIVE, true, Precision.BF16_FP32_GRADS);
    }

    @Test
    void everyLayoutThatCannotExistIsNamedAndNotSimulated() {
        ModelSpec odd = new ModelSpec("odd", 3, 96, 12, 4, 100, 1000, ModelSpec.Norm.RMS_NORM, ModelSpec.Mlp.SWIGLU, ModelSpec.Biases.OUTPUT_ONLY,
                false, 0, false, true);
        Cluster eight = ONE_NODE;
        List<String> p = lay(1, 8, 1, 1, 1, 8, false, 1).problems(odd, eight);
        assertThat(p).anyMatch(s -> s.equals("attention heads (12) are not divisible by tp (8)"))
                .anyMatch(s -> s.equals("kv heads (4) are not divisible by tp (8)"))
                .anyMatch(s -> s.equals("ffn width (100) is not divisible by tp (8)"));
        assertThat(lay(1, 2, 4, 1, 1, 8, false, 1).problems(odd, eight)).anyMatch(s -> s.contains("layers (3) < pp·vpp (4·1 = 4)"));
        assertThat(lay(8, 1, 1, 2, 1, 8, false, 1).problems(M7, eight)).anyMatch(s -> s.contains("vpp (2) > 1 needs pipeline parallelism"));
        assertThat(lay(2, 1, 4, 2, 1, 6, false, 1).problems(M7, eight)).anyMatch(s -> s.contains("interleaved schedule needs micro-batches per step (3) divisible by pp (4)"));
        assertThat(lay(8, 1, 1, 1, 1, 8, true, 1).problems(M7, eight)).anyMatch(s -> s.contains("sequence parallel needs tp > 1"));
        assertThat(lay(8, 1, 1, 1, 3, 24, false, 2).problems(M7, eight)).anyMatch(s -> s.contains("micro-batch (3) is not divisible by replicas (2)"));
        assertThatThrownBy(() -> Plan.of(odd, LayerProfile.closedForm(odd), eight, lay(1, 8, 1, 1, 1, 8, false, 1)))
                .hasMessageContaining("is invalid").hasMessageContaining("attention heads (12)");
    }

    @Test
    void wankasCpuTrainerHasItsOwnLimits() {
        Cluster cpu = cpu().withDevicesPerNode(4);
        ModelSpec tiny = ModelSpec.of("tiny", Presets.get("tiny"));
        Layout z2 = new Layout(4, 1, 1, 1, 1, 4, 64, ZeroStage.ZERO_2, false, 1, Recompute.NONE, false, Precision.FP32);
        assertThat(z2.problems(tiny, cpu)).anyMatch(s -> s.contains("ZeRO stage 2: wanka's trainer shards the optimizer state (ZeRO 1) at most"));
        Layout pp3 = new Layout(1, 1, 4, 1, 1, 4, 64, ZeroStage.ZERO_0, false, 1, Recompute.NONE, false, Precision.FP32);
        ModelSpec six = ModelSpec.of("six", Presets.get("tiny").withNumLayers(6));
        assertThat(pp3.problems(six, cpu)).anyMatch(s -> s.contains("layers (6) do not split evenly into pp·vpp (4) stages"));
        Layout sp = new Layout(2, 2, 1, 1, 1, 2, 64, ZeroStage.ZERO_0, true, 1, Recompute.NONE, false, Precision.FP32);
        assertThat(sp.problems(tiny, cpu)).anyMatch(s -> s.contains("covers plain 1F1B without sequence parallelism or replicas"));
        assertThatThrownBy(() -> Plan.optimized(tiny, LayerProfiles.of(tiny), cpu.withDevicesPerNode(1),
                new Layout(1, 1, 1, 1, 1, 1, 64, ZeroStage.ZERO_0, false, 1, Recompute.NONE, false, Precision.FP32), 1e9, java.util.Map.of()))
                .hasMessageContaining("not modelled for wanka's CPU trainer");
    }

    @Test
    void aCpuRunThatDoesNotFitSaysByHowMuchAndWhat() {
        // A machine with 1 GB usable: the small preset's 4096-token micro-batches do not fit, and activations dominate.
        Cluster cpu = cpu();
        Cluster tight = new Cluster(cpu.name(), new Accelerator("CPU, 1 thread", 1e11, 1e11, 8L << 30, 1_000_000_000L, 2e10), 1, 1,
                cpu.intra(), cpu.inter(), cpu.efficiency(), cpu.calibratedOn(), Precision.FP32, TrainingStack.WANKA_CPU);
        ModelSpec small = ModelSpec.of("small", Presets.get("small"));
        Layout lay = new Layout(1, 1, 1, 1, 8, 8, 512, ZeroStage.ZERO_0, false, 1, Recompute.NONE, false, Precision.FP32);
        Plan p = Plan.of(small, LayerProfiles.of(small), tight, lay);
        assertThat(p.fits()).isFalse();
        assertThat(PlanReport.bottlenecks(p).getFirst()).startsWith("Does not fit: ").contains("GB usable").contains(" over; the biggest part is activations");
    }

    @Test
    void unknownNamesListTheKnownOnes(@TempDir Path dir) {
        assertThatThrownBy(() -> ModelPresets.resolve(dir.resolve("missing/config.json").toString())).hasMessageContaining("known models: nano, tiny");
        assertThatThrownBy(() -> ClusterPresets.get(dir.resolve("gone.json").toString(), 1)).hasMessageContaining("does not exist; known clusters: 910b");
        assertThatThrownBy(() -> ZeroStage.of(4)).hasMessageContaining("4");
    }

    static Cluster cpu() {
        CpuCalibration.Measurement x = new CpuCalibration.Measurement(1, 1, List.of(new CpuCalibration.GemmRate("NT", 1, 1, 1, 5e10),
                new CpuCalibration.GemmRate("NN", 1, 1, 1, 5e10), new CpuCalibration.GemmRate("TN", 1, 1, 1, 5e10),
                new CpuCalibration.GemmRate("NT", 1, 1, 1, 2e10), new CpuCalibration.GemmRate("NN", 1, 1, 1, 6e10)), 1e10, 5e9, 2e-6, 2e-6, 5e9, 8L << 30, 4L << 30, null, 1);
        return CpuCalibration.toCluster(x, "cpu-1t");
    }
}
