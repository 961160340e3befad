package wanka.train;

import org.junit.jupiter.api.Test;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.MetaDevice;
import wanka.tensor.Tensor;
import wanka.train.recompute.RecomputedBlock;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RecomputedBlockTest {
    static final TeleChat2Config CONFIG = TeleChat2Config.of(50, 32, 3, 4, 2, 48, 16);

    @Test
    void recomputationGivesBitwiseTheSameLossAndGradients() {
        try (CpuDevice dev = CpuDevice.withThreads(2)) {
            int[] ids = new Random(3).ints(2 * 16, 0, CONFIG.vocabSize()).toArray();
            int[] tg = new Random(4).ints(2 * 16, 0, CONFIG.vocabSize()).toArray();
            TeleChat2 plain = TeleChat2.initialize(CONFIG, dev, 9);
            TeleChat2 wrapped = TeleChat2.initialize(CONFIG, dev, 9);
            wrapped.mapBlocks(RecomputedBlock::new);
            Tensor a = plain.loss(ids, tg, 2, 16), b = wrapped.loss(ids, tg, 2, 16);
            assertThat(b.item()).isEqualTo(a.item());
            a.backward();
            b.backward();
            Map<String, Tensor> pb = wrapped.parameters();
            java.util.List<String> bad = new java.util.ArrayList<>();
            plain.parameters().forEach((k, v) -> {
                if (!java.util.Arrays.equals(pb.get(k).grad().toArray(), v.grad().toArray())) bad.add(k);
            });
            assertThat(bad).as("parameters whose gradients differ").isEmpty();
        }
    }

    @Test
    void recomputationLowersPeakActivationMemoryOnTheMetaDevice() {
        TeleChat2Config c = Presets.get("small");
        long[] peaks = new long[2];
        for (int i = 0; i < 2; i++) {
            MetaDevice meta = new MetaDevice();
            TeleChat2 m = TeleChat2.initialize(c, meta, 0);
            if (i == 1) m.mapBlocks(RecomputedBlock::new);
            long weights = meta.memory().liveBytes();
            int[] ids = new int[4 * 512];
            Tensor loss = m.loss(ids, ids, 4, 512);
            loss.backward();
            peaks[i] = meta.memory().peakBytes() - weights;
        }
        // Full recomputation keeps one input per block instead of every activation.
        assertThat(peaks[1]).isLessThan(peaks[0] / 2);
    }
}
