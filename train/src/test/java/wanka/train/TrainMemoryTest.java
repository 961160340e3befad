package wanka.train;

import org.junit.jupiter.api.Test;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainMemoryTest {
    private static final TeleChat2Config CONFIG = TeleChat2Config.of(300, 64, 2, 4, 2, 96, 64);

    @Test
    void weightsGradientsAndMomentsAreSixteenBytesAParameter() {
        TrainMemory one = TrainMemory.estimate(CONFIG, 1, 32), four = TrainMemory.estimate(CONFIG, 4, 32);
        assertThat(one.parameters()).isEqualTo(4 * CONFIG.parameterCount());
        assertThat(one.gradients() + one.optimizer()).isEqualTo(12 * CONFIG.parameterCount());
        assertThat(one.total()).isEqualTo(16 * CONFIG.parameterCount() + one.activations());
        assertThat(four.parameters()).isEqualTo(one.parameters());
        assertThat(four.activations()).isGreaterThan(2 * one.activations());
        assertThat(one.toString()).contains("GiB").contains("AdamW moments").contains("activations");
    }

    @Test
    void theActivationsAreWhatAStepOnTheCpuAllocatesBesideWeightsAndGradients() {
        int batch = 2, seq = 32;
        TrainMemory est = TrainMemory.estimate(CONFIG, batch, seq);
        try (CpuDevice cpu = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, cpu, 1);
            int[] ids = new int[batch * seq];
            for (int i = 0; i < ids.length; i++) ids[i] = (i * 7) % CONFIG.vocabSize();
            m.loss(ids, ids, batch, seq).backward();
            long held = cpu.memory().liveBytes();
            assertThat(held).isBetween(est.parameters() + est.gradients(), est.parameters() + est.gradients() + 64);
            cpu.memory().resetPeak();
            m.loss(ids, ids, batch, seq).backward();
            assertThat(cpu.memory().peakBytes() - held).isEqualTo(est.activations());
        }
    }

    @Test
    void aMicroBatchTooLargeForOneTensorNamesTheOptions() {
        assertThatThrownBy(() -> TrainMemory.estimate(Presets.get("telechat2-115b"), 8, 8192)).hasMessageContaining("--batch 8").hasMessageContaining("2^31");
    }
}
