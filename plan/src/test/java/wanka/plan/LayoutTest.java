package wanka.plan;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayoutTest {
    static final ModelSpec M115 = ModelPresets.get("telechat2-115b");
    static final Cluster C64 = ClusterPresets.get("910b", 64);

    static Layout layout(int d, int t, int p, int v, int b, int global) {
        return new Layout(d, t, p, v, b, global, 8192, ZeroStage.ZERO_1, true, 1, Recompute.SELECTIVE, true,
                Precision.BF16_FP32_GRADS);
    }

    @Test
    void aValidLayoutHasNoProblems() {
        assertThat(layout(8, 8, 8, 3, 1, 64).problems(M115, C64)).isEmpty();
    }

    @Test
    void eachProblemIsNamed() {
        assertThat(layout(4, 32, 4, 1, 1, 64).problems(M115, C64))
                .anyMatch(s -> s.contains("kv heads (8) are not divisible by tp (32)"));
        assertThat(layout(1, 8, 64, 2, 1, 64).problems(M115, C64))
                .anyMatch(s -> s.contains("layers (96) < pp·vpp (64·2 = 128)"));
        assertThat(layout(8, 8, 8, 1, 3, 64).problems(M115, C64))
                .anyMatch(s -> s.contains("global batch (64) is not divisible by dp·micro-batch (8·3 = 24)"));
        assertThat(layout(8, 8, 4, 1, 1, 64).problems(M115, C64))
                .anyMatch(s -> s.contains("world size mismatch: dp·tp·pp = 8·8·4 = 256, but the cluster has 64 nodes × 8 = 512 devices"));
        assertThat(new Layout(8, 8, 8, 1, 1, 64, 8192, ZeroStage.ZERO_3, true, 1, Recompute.FULL, true, Precision.MIXED_16)
                .problems(M115, C64)).anyMatch(s -> s.contains("ZeRO stage 3"));
        assertThatThrownBy(() -> layout(8, 8, 4, 1, 1, 64).validate(M115, C64))
                .hasMessageContaining("world size mismatch");
    }

    @Test
    void unknownPresetsListTheKnownOnes() {
        assertThatThrownBy(() -> ModelPresets.get("gpt-5")).hasMessageContaining("known models: nano, tiny, small, base, telechat2-3b")
                .hasMessageContaining("telechat2-1t");
        assertThatThrownBy(() -> ClusterPresets.get("tpu", 1)).hasMessageContaining("known clusters: 910b, a100-40, a100-80, h100");
        assertThatThrownBy(() -> Recompute.parse("some")).hasMessageContaining("none, selective, full");
    }

    @Test
    void readsAHuggingFaceConfig(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("config.json");
        java.nio.file.Files.writeString(f, "{\"model_type\":\"llama\",\"num_hidden_layers\":32,\"hidden_size\":4096,"
                + "\"num_attention_heads\":32,\"num_key_value_heads\":8,\"intermediate_size\":14336,\"vocab_size\":128256}");
        assertThat(ModelPresets.resolve(f.toString()).parameterCount()).isEqualTo(ModelPresets.get("llama3-8b").parameterCount());
        wanka.model.Presets.get("telechat2-7b").write(dir.resolve("tc.json"));
        assertThat(ModelPresets.resolve(dir.resolve("tc.json").toString()).parameterCount())
                .isEqualTo(ModelPresets.get("telechat2-7b").parameterCount());
    }

    @Test
    void memoryOfTheTeleChat2FineTuneLayoutFitsThe910bCap() {
        // telechat2.md §3.2: 115B fine-tuned on 512 910B with dp8 tp8 pp8, interleave 3, micro-batch 1, seq 8192,
        // global batch 64, selective recompute plus communication recompute, under a 58 GB cap. With m = p = 8 the first
        // device runs all 24 chunk forwards before its first backward: 8 micro-batches of its 12 layers in flight
        // (Megatron's estimator factor 1 + (p−1)/(p·v) would count 124 layer-micro-batches, more than the 96 a step
        // runs). Full recompute needs far less.
        Layout lay = layout(8, 8, 8, 3, 1, 64);
        MemoryBreakdown mem = MemoryModel.estimate(M115, C64, lay);
        assertThat(mem.total() / 1e9).isBetween(46.0, 52.0);
        assertThat(mem.fits()).isTrue();
        assertThat(mem.activations()).isCloseTo(96 * ActivationMemory.perLayer(M115, 8192, 1, 8, true, Recompute.SELECTIVE)
                + 8.0 * 8192 * 8, org.assertj.core.data.Percentage.withPercentage(1e-12));
        assertThat(mem.parameters()).isGreaterThan(113e9 / 64);
        Layout full = lay.with(8, 8, 8, 3, 1, ZeroStage.ZERO_1, true, Recompute.FULL);
        assertThat(MemoryModel.estimate(M115, C64, full).total()).isLessThan(mem.total() / 2);
    }

    @Test
    void inFlightMicroBatchesFollowTheScheduleWarmUp() {
        // 1F1B: p − r, at most m. Interleaved: 2(p − r − 1) + (v − 1)p + 1 chunk forwards, at most m·v.
        assertThat(ActivationMemory.inFlightMicroBatches(0, 8, 1, 64)).isEqualTo(8);
        assertThat(ActivationMemory.inFlightMicroBatches(7, 8, 1, 64)).isEqualTo(1);
        assertThat(ActivationMemory.inFlightMicroBatches(0, 8, 1, 4)).isEqualTo(4);
        assertThat(ActivationMemory.inFlightMicroBatches(0, 8, 3, 64)).isEqualTo((14 + 16 + 1) / 3.0);
        assertThat(ActivationMemory.inFlightMicroBatches(7, 8, 3, 64)).isEqualTo(17 / 3.0);
        assertThat(ActivationMemory.inFlightMicroBatches(0, 8, 3, 8)).isEqualTo(8);
        assertThat(ActivationMemory.inFlightFactor(8, 3, 64)).isEqualTo(1 + 7 / 24.0);
    }

    @Test
    void aLayoutThatDoesNotFitSaysByHowMuchAndWhatDominates() {
        Cluster one = ClusterPresets.get("910b", 1);
        Layout lay = new Layout(1, 8, 1, 1, 1, 8, 8192, ZeroStage.ZERO_1, true, 1, Recompute.FULL, true, Precision.BF16_FP32_GRADS);
        Plan p = Plan.of(M115, LayerProfiles.of(M115), one, lay);
        assertThat(p.fits()).isFalse();
        String why = PlanReport.bottlenecks(p).getFirst();
        MemoryBreakdown mem = p.memory();
        assertThat(why).startsWith("Does not fit: ")
                .contains(String.format(java.util.Locale.ROOT, "%.1f GB (%.0f%%) over", (mem.total() - mem.usable()) / 1e9,
                        100 * (mem.total() / mem.usable() - 1)))
                .contains("the biggest part is optimizer state").contains("ZeRO-1 or more data-parallel ranks");
        // With per-op recompute already at its most, the sentence says so.
        Plan auto = Plan.optimized(M115, LayerProfiles.of(M115), one, lay, 58e9, java.util.Map.of());
        assertThat(auto.fits()).isFalse();
        assertThat(PlanReport.bottlenecks(auto).getFirst()).startsWith("Does not fit even with the most recomputation: ");
        assertThat(PlanReport.text(auto)).contains("it does not fit even recomputing every activation").doesNotContain("optimal");
        // Activations dominating point at recomputation.
        Layout act = new Layout(64, 8, 1, 1, 4, 1024, 8192, ZeroStage.ZERO_1, true, 1, Recompute.NONE, true, Precision.BF16_FP32_GRADS);
        MemoryBreakdown am = MemoryModel.estimate(M115, C64, act);
        assertThat(PlanReport.doesNotFit(am, false)).contains("the biggest part is activations").contains("--recompute auto");
    }
}
