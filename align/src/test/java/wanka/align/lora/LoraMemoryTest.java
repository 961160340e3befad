package wanka.align.lora;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.TinyModels;
import wanka.align.sft.SftBatch;
import wanka.align.sft.SftLoss;
import wanka.align.train.Objective;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.train.AdamWOptimizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training leaves nothing behind on the device: the live tensor bytes after step k+10 equal those after step k (the
 * gradients and AdamW moments exist from step 1 on), for LoRA (whose first ops run outside the graph: the frozen
 * embedding and the first norm) and for full fine-tuning.
 */
class LoraMemoryTest {
    private static CpuDevice cpu;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private List<Long> liveAfterEachStep(boolean lora, double dropout) throws Exception {
        int batch = 2, seq = 32, vocab = 200;
        TeleChat2 model = TinyModels.random(TinyModels.config(vocab), cpu, 3, 0.05f);
        LoraAdapters adapters = lora ? LoraAdapters.attach(model, new LoraConfig(4, 8, dropout, EnumSet.allOf(LoraTarget.class), 1), cpu) : null;
        SplittableRandom r = new SplittableRandom(5);
        int[] in = new int[batch * seq], tg = new int[batch * seq];
        for (int i = 0; i < in.length; i++) in[i] = r.nextInt(vocab);
        for (int i = 0; i < in.length; i++) tg[i] = i % seq < seq / 3 ? -100 : in[(i + 1) % in.length];
        SftBatch b = new SftBatch(batch, seq, in, tg, null, null, batch);
        Objective o = new Objective() {
            @Override
            public Micro micro(long step, int micro) {
                return new Micro(SftLoss.of(model, b), batch * seq, Map.of());
            }

            @Override
            public long dataTokens() {
                return batch * seq;
            }
        };
        PostTrainOptions opts = new PostTrainOptions(14, 2, 1e-3, 1e-3, 0, "constant", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.0), 0,
                tmp.resolve(lora + "-" + dropout), 1, batch, seq);
        List<Long> live = new ArrayList<>();
        new PostTrainer(lora ? adapters.parameters() : model.parameters(), lora ? adapters.roles() : model.parameterRoles(), o, opts, cpu, d -> { },
                lora ? adapters : wanka.align.train.RandomState.NONE).run(l -> live.add(cpu.memory().liveBytes()));
        return live;
    }

    @Test
    void loraLiveBytesDoNotGrowFromStepToStep() throws Exception {
        List<Long> live = liveAfterEachStep(true, 0);
        assertThat(live.get(12)).as("live bytes per step: %s", live).isEqualTo(live.get(2));
    }

    @Test
    void loraWithDropoutLiveBytesDoNotGrowFromStepToStep() throws Exception {
        List<Long> live = liveAfterEachStep(true, 0.1);
        assertThat(live.get(12)).as("live bytes per step: %s", live).isEqualTo(live.get(2));
    }

    @Test
    void fullFineTuningLiveBytesDoNotGrowFromStepToStep() throws Exception {
        List<Long> live = liveAfterEachStep(false, 0);
        assertThat(live.get(12)).as("live bytes per step: %s", live).isEqualTo(live.get(2));
    }
}
