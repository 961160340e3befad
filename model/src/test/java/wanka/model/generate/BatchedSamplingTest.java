package wanka.model.generate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.model.layers.LayerCache;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** n samples of one prompt decoded together equal the same samples decoded one at a time. */
class BatchedSamplingTest {
    private static CpuDevice cpu;
    private static TeleChat2 model;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
        model = TeleChat2.initialize(TeleChat2Config.of(97, 64, 2, 4, 2, 96, 64), cpu, 3);
        Random r = new Random(3);
        for (Tensor t : model.parameters().values()) {
            float[] d = t.data();
            boolean norm = t.name().contains("layernorm") || t.name().contains("ln_f");
            for (int i = 0; i < d.length; i++) d[i] = norm ? 1 + 0.2f * (float) r.nextGaussian() : 0.2f * (float) r.nextGaussian();
        }
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    @Test
    void stepRowsGivesEachSequenceTheLogitsOfItsOwnStep() {
        int[] prompt = {5, 9, 14, 2};
        List<LayerCache> a = model.newCache(10), b = model.newCache(10);
        model.step(prompt, a);
        model.step(prompt, b);
        float[][] both = model.stepRows(new int[]{7, 40}, List.of(a, b));
        List<LayerCache> c = model.newCache(10), d = model.newCache(10);
        model.step(prompt, c);
        model.step(prompt, d);
        float[] alone7 = model.step(new int[]{7}, c), alone40 = model.step(new int[]{40}, d);
        for (int v = 0; v < alone7.length; v++) {
            assertThat(both[0][v]).isCloseTo(alone7[v], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(both[1][v]).isCloseTo(alone40[v], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void batchedSamplesEqualSamplesDrawnOneAtATime() {
        int[] prompt = {5, 9, 14, 2, 30};
        GenerationConfig gc = new GenerationConfig(12, 1.0, 0, 1.0, 1.0, Set.of(3, 4), 77);
        Generator g = new Generator(model);
        List<Generator.Result> batched = g.sample(prompt, gc, 6);
        assertThat(batched).hasSize(6);
        boolean differ = false;
        for (int i = 0; i < 6; i++) {
            Generator.Result alone = g.generate(prompt, gc.withSeed(77 + i), id -> { });
            assertThat(batched.get(i).tokens()).as("sample " + i).containsExactly(alone.tokens());
            assertThat(batched.get(i).stopReason()).isEqualTo(alone.stopReason());
            differ |= !java.util.Arrays.equals(batched.get(i).tokens(), batched.getFirst().tokens());
        }
        assertThat(differ).as("different seeds give different samples").isTrue();
        assertThat(batched).anyMatch(r -> r.stopReason().equals("stop")).anyMatch(r -> r.stopReason().equals("length"));
    }
}
