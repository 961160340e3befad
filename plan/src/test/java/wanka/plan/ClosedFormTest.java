package wanka.plan;

import org.junit.jupiter.api.Test;
import wanka.model.Presets;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

/** The model reproduces the closed forms of {@code research/parallel-formulas.md} §2 exactly. */
class ClosedFormTest {
    static final double EXACT = 1e-12;

    @Test
    void parameterCountsOfTheTenMegatronModelsOfTable1() {
        // §1A: params (B) as printed, and §2.1 P = 12lh² + 13lh + (V+s)h + 2h.
        List<Object[]> rows = List.of(new Object[]{"gpt-1.7b", 1.7}, new Object[]{"gpt-3.6b", 3.6},
                new Object[]{"gpt-7.5b", 7.5}, new Object[]{"gpt-18.4b", 18.4}, new Object[]{"gpt-39.1b", 39.1},
                new Object[]{"gpt-76.1b", 76.1}, new Object[]{"gpt-145.6b", 145.6}, new Object[]{"gpt-310.1b", 310.1},
                new Object[]{"gpt-529.6b", 529.6}, new Object[]{"gpt-1008b", 1008.0});
        for (Object[] r : rows) {
            ModelSpec m = ModelPresets.get((String) r[0]);
            long l = m.layers(), h = m.hidden(), v = m.vocab(), s = ModelPresets.GPT_SEQ;
            assertThat(m.parameterCount()).as((String) r[0]).isEqualTo(12 * l * h * h + 13 * l * h + (v + s) * h + 2 * h);
            assertThat(Math.round(m.parameterCount() / 1e8) / 10.0).as((String) r[0]).isEqualTo((double) r[1]);
        }
    }

    @Test
    void llama3ParameterCounts() {
        assertThat(ModelPresets.get("llama3-8b").parameterCount() / 1e9).isCloseTo(8.03, within(0.005));
        assertThat(ModelPresets.get("llama3-70b").parameterCount() / 1e9).isCloseTo(70.55, within(0.005));
        assertThat(ModelPresets.get("llama3-405b").parameterCount() / 1e9).isCloseTo(405.85, within(0.005));
    }

    @Test
    void teleChat2CountsMatchTheModelCodeAndThe115bCheckpoint() {
        for (String n : List.of("telechat2-3b", "telechat2-7b", "telechat2-35b", "telechat2-115b")) {
            assertThat(ModelPresets.get(n).parameterCount()).as(n).isEqualTo(Presets.get(n).parameterCount());
        }
        // telechat2.md §1.1: safetensors total_size 453,131,665,408 B = 4 × 113,282,916,352.
        assertThat(ModelPresets.get("telechat2-115b").parameterCount()).isEqualTo(113_282_916_352L);
        assertThat(ModelPresets.get("telechat2-1t").parameterCount() / 1e9).isCloseTo(998.6, within(0.05));
    }

    @Test
    void zeroOptimizerBytesFor7point5bOn64Ranks() {
        // §2.4: 120 / 31.4 / 16.6 / 1.9 GB.
        double psi = 7.5e9;
        double[] expect = {120, 31.4, 16.6, 1.9};
        for (int z = 0; z <= 3; z++) {
            ZeroStage stage = ZeroStage.of(z);
            double gb = (MemoryModel.weightBytes(psi, Precision.MIXED_16, stage, 64)
                    + MemoryModel.gradientBytes(psi, Precision.MIXED_16, stage, 64)
                    + MemoryModel.optimizerBytes(psi, Precision.MIXED_16, stage, 64)) / 1e9;
            assertThat(Math.round(gb * 10) / 10.0).as("ZeRO-" + z).isEqualTo(expect[z]);
        }
        // Exactly 16Ψ, 4Ψ + 12Ψ/N, 2Ψ + 14Ψ/N, 16Ψ/N.
        double n = 64;
        assertThat(bytes(psi, Precision.MIXED_16, ZeroStage.ZERO_1, 64)).isCloseTo(4 * psi + 12 * psi / n, withPercentage(EXACT));
        assertThat(bytes(psi, Precision.MIXED_16, ZeroStage.ZERO_2, 64)).isCloseTo(2 * psi + 14 * psi / n, withPercentage(EXACT));
        assertThat(bytes(psi, Precision.MIXED_16, ZeroStage.ZERO_3, 64)).isCloseTo(16 * psi / n, withPercentage(EXACT));
    }

    @Test
    void megatronBytesPerParameterWithAndWithoutTheDistributedOptimizer() {
        // §2.4: bf16 params + fp32 grads: 18 → 6 + 12/d.
        assertThat(bytes(1, Precision.BF16_FP32_GRADS, ZeroStage.ZERO_0, 8)).isEqualTo(18.0);
        assertThat(bytes(1, Precision.BF16_FP32_GRADS, ZeroStage.ZERO_1, 8)).isEqualTo(6 + 12 / 8.0);
    }

    private static double bytes(double psi, Precision p, ZeroStage z, int d) {
        return MemoryModel.weightBytes(psi, p, z, d) + MemoryModel.gradientBytes(psi, p, z, d) + MemoryModel.optimizerBytes(psi, p, z, d);
    }

    @Test
    void activationBytesPerLayerMatchKorthikantiTable2() {
        ModelSpec m = ModelPresets.get("gpt-145.6b");
        double s = 2048, b = 1, h = m.hidden(), a = m.heads();
        double sbh = s * b * h;
        int t = 8;
        assertThat(ActivationMemory.perLayer(m, 2048, 1, 1, false, Recompute.NONE))
                .isCloseTo(sbh * (34 + 5 * a * s / h), withPercentage(EXACT));
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, false, Recompute.NONE))
                .isCloseTo(sbh * (10 + 24.0 / t + 5 * a * s / (h * t)), withPercentage(EXACT));
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, true, Recompute.NONE))
                .isCloseTo(sbh * (34.0 / t + 5 * a * s / (h * t)), withPercentage(EXACT));
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, false, Recompute.SELECTIVE))
                .isCloseTo(sbh * (10 + 24.0 / t), withPercentage(EXACT));
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, true, Recompute.SELECTIVE))
                .isCloseTo(34 * sbh / t, withPercentage(EXACT));
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, false, Recompute.FULL)).isEqualTo(2 * sbh);
        assertThat(ActivationMemory.perLayer(m, 2048, 1, t, true, Recompute.FULL)).isEqualTo(2 * sbh / t);
    }

    @Test
    void gqaAndSwigluActivationsForTeleChat2() {
        // No dropout, fused attention: replicated 8sbh; split 2sbh (Q) + 4sb·g·d_h (K, V) + 2sbh + 6sbf; 4sba stats.
        ModelSpec m = ModelPresets.get("telechat2-115b");
        double s = 8192, b = 1, h = 8192, g = 8, dh = 128, f = 40960, a = 64;
        int t = 8;
        double expect = 8 * s * b * h / t + (4 * s * b * h + 4 * s * b * g * dh + 6 * s * b * f) / t + 4 * s * b * a / t;
        assertThat(ActivationMemory.perLayer(m, 8192, 1, t, true, Recompute.NONE)).isCloseTo(expect, withPercentage(EXACT));
        // Selective recomputes the attention core: with fused attention it drops only the statistics.
        assertThat(ActivationMemory.perLayer(m, 8192, 1, t, true, Recompute.SELECTIVE)).isCloseTo(expect - 4 * s * b * a / t, withPercentage(EXACT));
    }

    @Test
    void firstStageActivationsFollowTheMegatronPlacement() {
        ModelSpec m = ModelPresets.get("gpt-145.6b");
        Layout lay = layout(8, 8, 8, 1, 1, 2304);
        double per = ActivationMemory.perLayer(m, 2048, 1, 8, false, Recompute.SELECTIVE);
        double s = 2048, b = 1, p = 8;
        double expect = m.layers() * per + 8 * s * b * p + s * b * m.hidden() * p;
        assertThat(ActivationMemory.firstStage(m, lay)).isCloseTo(expect, withPercentage(EXACT));
        Layout inter = layout(8, 8, 8, 2, 1, 2304);
        double expectInter = m.layers() * per * (1 + (p - 1) / (p * 2)) + 8 * s * b * p + s * b * m.hidden() * p;
        assertThat(ActivationMemory.firstStage(m, inter)).isCloseTo(expectInter, withPercentage(EXACT));
        // m < p: m/p of it.
        assertThat(ActivationMemory.inFlightFactor(8, 1, 4)).isEqualTo(0.5);
    }

    @Test
    void communicationBuffersAreTheTensorAndPipelineInOutBuffersOnlyDataParallelAddsNone() {
        ModelSpec m = ModelPresets.get("gpt-145.6b");
        Cluster c = ClusterPresets.get("a100-80", 64);
        double sbh = 2048.0 * 1 * m.hidden() * Precision.MIXED_16.activationBytes();
        for (int d : new int[]{1, 2, 8}) { // the DP buckets are views of the gradient buffer, reduced in place
            MemoryBreakdown mem = MemoryModel.device(m, c, layout(d, 8, 8, 1, 1, 2304), 0, 0, 0);
            assertThat(mem.commBuffers()).isEqualTo(2 * sbh + 2 * sbh); // TP in/out + p2p send/receive
        }
        assertThat(MemoryModel.device(m, c, layout(8, 1, 1, 1, 1, 2304), 0, 0, 0).commBuffers()).isZero();
    }

    static Layout layout(int d, int t, int p, int v, int b, int global) {
        return new Layout(d, t, p, v, b, global, 2048, ZeroStage.ZERO_0, false, 1, Recompute.SELECTIVE, false,
                Precision.MIXED_16);
    }

    @Test
    void communicationVolumesAndCollectiveTimes() {
        long b = 2, s = 2048, h = 8192;
        int t = 8;
        assertThat(CommVolume.tensorParallelPerLayer(b, s, h, t, Recompute.NONE)).isEqualTo(8.0 * b * s * h * (t - 1) / t);
        assertThat(CommVolume.tensorParallelPerLayer(b, s, h, t, Recompute.FULL)).isEqualTo(12.0 * b * s * h * (t - 1) / t);
        assertThat(CommVolume.pipelinePerBoundary(b, s, h, t, false)).isEqualTo((double) b * s * h);
        assertThat(CommVolume.pipelinePerBoundary(b, s, h, t, true)).isEqualTo((double) b * s * h / t);
        assertThat(CommVolume.dataParallel(1e9, 64, ZeroStage.ZERO_1)).isEqualTo(2.0 * 63 / 64 * 1e9);
        assertThat(CommVolume.dataParallel(1e9, 64, ZeroStage.ZERO_3)).isEqualTo(1.5 * 2.0 * 63 / 64 * 1e9);
        double alpha = 5e-6, beta = 100e9, bytes = 1e8;
        assertThat(Collectives.ringAllReduce(bytes, 8, alpha, beta)).isCloseTo(2 * 7 * alpha + 2 * 7 / 8.0 * bytes / beta, withPercentage(EXACT));
        assertThat(Collectives.ringReduceScatter(bytes, 8, alpha, beta)).isCloseTo(7 * alpha + 7 / 8.0 * bytes / beta, withPercentage(EXACT));
    }

    @Test
    void modelAndHardwareFlopsAreF72AndF96() {
        ModelSpec m = ModelPresets.get("gpt-145.6b");
        double B = 2304, s = 2048, l = m.layers(), h = m.hidden(), v = m.vocab();
        double f72 = 72 * B * s * l * h * h * (1 + s / (6 * h) + v / (12 * l * h));
        double f96 = 96 * B * s * l * h * h * (1 + s / (6 * h) + v / (16 * l * h));
        assertThat(TimeModel.modelFlops(m, 2304, 2048)).isCloseTo(f72, withPercentage(1e-10));
        Layout full = new Layout(24, 8, 8, 1, 1, 2304, 2048, ZeroStage.ZERO_0, false, 1, Recompute.FULL, false, Precision.MIXED_16);
        assertThat(TimeModel.hardwareFlops(m, LayerProfile.closedForm(m), full)).isCloseTo(f96, withPercentage(1e-10));
    }

    @Test
    void pipelineSimulationReproducesTheBubbleClosedForms() {
        int p = 8, m = 16;
        double f = 1.0, b = 2.0;
        double[] fw = new double[p], bw = new double[p];
        java.util.Arrays.fill(fw, f);
        java.util.Arrays.fill(bw, b);
        // 1F1B: (m + p − 1)(t_f + t_b), §2.5.
        assertThat(PipelineSim.run(p, 1, m, fw, bw, 0).makespan()).isCloseTo((m + p - 1) * (f + b), within(1e-9));
        // Interleaved, v chunks each 1/v of the stage: m(t_f + t_b) + (p − 1)(t_f + t_b)/v.
        int v = 2;
        double[] fv = new double[p * v], bv = new double[p * v];
        java.util.Arrays.fill(fv, f / v);
        java.util.Arrays.fill(bv, b / v);
        assertThat(PipelineSim.run(p, v, m, fv, bv, 0).makespan()).isCloseTo(m * (f + b) + (p - 1) * (f + b) / v, within(1e-9));
    }
}
