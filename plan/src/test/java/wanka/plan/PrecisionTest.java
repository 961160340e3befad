package wanka.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.Presets;
import wanka.train.recompute.RecomputeOp;
import wanka.train.recompute.RecomputePlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * fp32, as wanka trains on the CPU (issue 9, item 2): 4-byte weights, gradients and activations, AdamW's m and v 4
 * bytes each; closed forms for the byte counts, the CPU profile's default, and the fp32 peak in the time model.
 */
class PrecisionTest {
    static final double EXACT = 1e-9;

    @Test
    void fp32IsSixteenBytesPerParameterWithoutAMasterCopy() {
        double psi = 1e9;
        assertThat(MemoryModel.weightBytes(psi, Precision.FP32, ZeroStage.ZERO_0, 8)).isEqualTo(4 * psi);
        assertThat(MemoryModel.gradientBytes(psi, Precision.FP32, ZeroStage.ZERO_0, 8)).isEqualTo(4 * psi);
        assertThat(MemoryModel.optimizerBytes(psi, Precision.FP32, ZeroStage.ZERO_0, 8)).isEqualTo(8 * psi);
        assertThat(MemoryModel.optimizerBytes(psi, Precision.FP32, ZeroStage.ZERO_1, 8)).isEqualTo(psi);
    }

    @Test
    void fp32OnAPresetDoublesTheActivationsAndRunsAtTheFp32Peak() {
        ModelSpec m = ModelPresets.get("telechat2-7b");
        Cluster c = ClusterPresets.get("a100-80", 1);
        Layout bf16 = new Layout(1, 8, 1, 1, 1, 8, 4096, ZeroStage.ZERO_0, false, 1, Recompute.FULL, false, Precision.BF16_FP32_GRADS);
        Layout fp32 = new Layout(1, 8, 1, 1, 1, 8, 4096, ZeroStage.ZERO_0, false, 1, Recompute.FULL, false, Precision.FP32);
        MemoryBreakdown a = MemoryModel.rank(m, c, bf16, 0), b = MemoryModel.rank(m, c, fp32, 0);
        assertThat(b.activations()).isCloseTo(2 * a.activations(), within(EXACT * a.activations()));
        assertThat(b.weights()).isCloseTo(2 * a.weights(), within(1.0));
        assertThat(b.optimizer()).isCloseTo(a.optimizer() * 8 / 12, within(1.0));
        LayerProfile prof = LayerProfile.closedForm(m);
        double ratio = TimeModel.estimate(m, prof, c, fp32).matmul() / TimeModel.estimate(m, prof, c, bf16).matmul();
        assertThat(ratio).isCloseTo(c.accelerator().peak16() / c.accelerator().peak32(), within(1e-9));
    }

    @Test
    void presetsKeepTheirPrecisionAndTheCpuProfileDefaultsToFp32(@TempDir Path dir) throws Exception {
        assertThat(ClusterPresets.get("910b", 1).precision()).isEqualTo(Precision.BF16_FP32_GRADS);
        assertThat(ClusterPresets.get("910b", 1).stack()).isEqualTo(TrainingStack.MEGATRON);
        CpuCalibration.Measurement x = new CpuCalibration.Measurement(1, 1, java.util.List.of(new CpuCalibration.GemmRate("NT", 1, 1, 1, 5e10),
                new CpuCalibration.GemmRate("NN", 1, 1, 1, 5e10), new CpuCalibration.GemmRate("TN", 1, 1, 1, 5e10),
                new CpuCalibration.GemmRate("NT", 1, 1, 1, 2e10), new CpuCalibration.GemmRate("NN", 1, 1, 1, 6e10)), 1e10, 5e9, 2e-6, 2e-6, 5e9, 8L << 30, 4L << 30, null, 1);
        Cluster cpu = CpuCalibration.toCluster(x, "cpu-1t");
        assertThat(cpu.precision()).isEqualTo(Precision.FP32);
        assertThat(cpu.stack()).isEqualTo(TrainingStack.WANKA_CPU);
        Path f = dir.resolve("cpu.json");
        ClusterFile.write(cpu, f);
        assertThat(ClusterFile.read(f)).isEqualTo(cpu);
        // A profile written before the fields existed: known by how it was made.
        Files.writeString(f, Files.readString(f).replaceAll("(?s),\\s*\"precision\"\\s*:\\s*\\{[^}]*\\}", "").replaceAll(",\\s*\"stack\"\\s*:\\s*\"[A-Z_]+\"", ""));
        assertThat(Files.readString(f)).doesNotContain("precision").doesNotContain("stack");
        assertThat(ClusterFile.read(f).precision()).isEqualTo(Precision.FP32);
        assertThat(ClusterFile.read(f).stack()).isEqualTo(TrainingStack.WANKA_CPU);
    }

    @Test
    void wankasOwnLayerFloatsAreTheOutputsOfItsOps() {
        ModelSpec m = ModelSpec.of("tiny", Presets.get("tiny"));
        double h = 256, kv = 2 * 2 * 32, f = 688;
        // q, its rotated copy, key_value and its rotated copy, attention output, the two norms, dense, two adds, gate, up, SwiGLU, down.
        assertThat(WankaMemory.layerFloatsPerToken(m, 1, Set.of())).isEqualTo(9 * h + 2 * kv + 3 * f);
        assertThat(WankaMemory.layerFloatsPerToken(m, 2, Set.of())).isEqualTo(8 * h + (3 * h + 2 * kv + 3 * f) / 2);
        assertThat(WankaMemory.layerFloatsPerToken(m, 1, Set.of(RecomputeOp.ATTENTION_CORE))).isEqualTo(8 * h + kv + 3 * f);
        assertThat(WankaMemory.layerFloatsPerToken(m, 1, Set.of(RecomputeOp.MLP_ACTIVATION))).isEqualTo(9 * h + 2 * kv + f);
        assertThat(WankaMemory.layerFloatsPerToken(m, 2, Set.of(RecomputeOp.FULL))).isEqualTo(h);
        // Static: 16 bytes per parameter on one rank; ZeRO-1 over 2 shards the 8 bytes of moments.
        Cluster cpu = ClusterPresets.get("910b", 1);
        Layout one = new Layout(1, 1, 1, 1, 1, 1, 64, ZeroStage.ZERO_0, false, 1, Recompute.NONE, false, Precision.FP32);
        MemoryBreakdown r = WankaMemory.rank(m, cpu, one, RecomputePlan.NONE, 0);
        assertThat(r.parameters()).isEqualTo(m.parameterCount());
        assertThat(r.weights() + r.gradients() + r.optimizer()).isEqualTo(16.0 * m.parameterCount());
        Layout z = new Layout(2, 1, 1, 1, 1, 2, 64, ZeroStage.ZERO_1, false, 1, Recompute.NONE, false, Precision.FP32);
        assertThat(WankaMemory.rank(m, cpu, z, RecomputePlan.NONE, 0).optimizer()).isEqualTo(8.0 * Math.ceil(m.parameterCount() / 2.0));
    }
}
