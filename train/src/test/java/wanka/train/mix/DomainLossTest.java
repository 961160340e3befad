package wanka.train.mix;

import org.junit.jupiter.api.Test;
import wanka.data.Batch;
import wanka.data.mix.MixedBatch;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DomainLossTest {
    private static final TeleChat2Config CONFIG = TeleChat2Config.of(40, 32, 2, 4, 2, 48, 16);

    private static Map<String, float[]> gradsAndZero(TeleChat2 m) {
        Map<String, float[]> g = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> {
            g.put(k, v.grad().toArray());
            v.zeroGrad();
        });
        return g;
    }

    @Test
    void matchesTheModelLossAndItsGradientAndSplitsItByDomain() {
        int batch = 5, seq = 8;
        Random r = new Random(1);
        int[] in = new int[batch * seq], tg = new int[batch * seq];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(40);
            tg[i] = r.nextInt(40);
        }
        tg[3] = -100; // an ignored target in domain 0
        int[] rowDomain = {0, 0, 2, 2, 2}; // domain 1 absent
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, 5);
            Tensor ref = m.loss(in, tg, batch, seq);
            float refLoss = ref.item();
            ref.backward();
            Map<String, float[]> refGrad = gradsAndZero(m);

            DomainLoss dl = DomainLoss.of(m, new MixedBatch(new Batch(in, tg, batch, seq), rowDomain), 3);
            assertThat(dl.tokens()).containsExactly(15, 0, 24);
            assertThat((double) dl.loss().item()).isCloseTo(refLoss, within(1e-5));
            assertThat((dl.lossSum()[0] + dl.lossSum()[2]) / 39).isCloseTo(refLoss, within(1e-5));
            dl.loss().backward();
            Map<String, float[]> grad = gradsAndZero(m);
            refGrad.forEach((k, v) -> {
                float[] g = grad.get(k);
                float scale = 1e-3f;
                for (float x : v) scale = Math.max(scale, Math.abs(x));
                for (int i = 0; i < v.length; i++) assertThat(g[i]).as("%s[%d]", k, i).isCloseTo(v[i], within(1e-4f * scale));
            });

            // Each domain's share equals the model loss over that domain's rows alone.
            float d0 = m.loss(Arrays.copyOfRange(in, 0, 2 * seq), Arrays.copyOfRange(tg, 0, 2 * seq), 2, seq).item();
            float d2 = m.loss(Arrays.copyOfRange(in, 2 * seq, 5 * seq), Arrays.copyOfRange(tg, 2 * seq, 5 * seq), 3, seq).item();
            assertThat(dl.lossSum()[0] / 15).isCloseTo(d0, within(1e-5));
            assertThat(dl.lossSum()[2] / 24).isCloseTo(d2, within(1e-5));
            assertThat(dl.lossSum()[1]).isZero();
        }
    }
}
