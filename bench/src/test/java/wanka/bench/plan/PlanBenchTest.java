package wanka.bench.plan;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code wanka bench plan}'s options: the defaults measure soundly, layouts are chosen by name or number. */
class PlanBenchTest {
    @Test
    void defaultsAreThreeWarmUpAndEightMeasuredStepsOfAllNineLayouts() {
        PlanBench.Settings s = PlanBench.Settings.parse(new String[0]);
        assertThat(s.warmup()).isEqualTo(3);
        assertThat(s.steps()).isEqualTo(8);
        assertThat(s.inThisJvm()).isFalse();
        assertThat(PlanBench.select(PlanBench.rows(s.global()), s.layouts())).hasSize(9);
    }

    @Test
    void layoutsAreChosenByNameOrNumber() {
        var all = PlanBench.rows(8);
        assertThat(PlanBench.select(all, "1, tp2 ,PP2 SELECTIVE").stream().map(PlanBench.Row::name)).containsExactly("1 rank", "tp2", "pp2 selective");
        assertThatThrownBy(() -> PlanBench.select(all, "tp4")).hasMessageContaining("unknown layout 'tp4'").hasMessageContaining("dp2 ZeRO-1");
        assertThatThrownBy(() -> PlanBench.select(all, "10")).hasMessageContaining("unknown layout '10'");
    }

    @Test
    void breakdownSortsTheOpTimersKeysIntoTheModelsClasses() {
        assertThat(PlanBench.Settings.parse(new String[]{"--breakdown"}).breakdown()).isTrue();
        assertThat(PlanBench.Settings.parse(new String[0]).breakdown()).isFalse();
        assertThat(Breakdown.classOf("linear NT 1024×256×256")).isEqualTo("matmul");
        assertThat(Breakdown.classOf("linear.backward 1024×256×256")).isEqualTo("matmul");
        assertThat(Breakdown.classOf("attention.backward")).isEqualTo("attention");
        assertThat(Breakdown.classOf("vocab_parallel_cross_entropy.backward")).isEqualTo("loss (LM head)");
        assertThat(Breakdown.classOf("adamw")).isEqualTo("optimizer");
        assertThat(Breakdown.classOf("copy_to_tp.backward")).isEqualTo("communication ops");
        assertThat(Breakdown.classOf("rms_norm.backward")).isEqualTo("element-wise and norms");
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> PlanBench.Settings.parse(new String[]{"--warmup", "0"})).hasMessageContaining("--warmup");
        assertThatThrownBy(() -> PlanBench.Settings.parse(new String[]{"--global-batch", "6"})).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> PlanBench.Settings.parse(new String[]{"--steps"})).hasMessageContaining("--steps needs a value");
        assertThatThrownBy(() -> PlanBench.Settings.parse(new String[]{"--frobnicate"})).hasMessageContaining("unknown option --frobnicate");
    }
}
