package wanka.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerTest {
    static final TeleChat2Config CONFIG = TeleChat2Config.of(40, 32, 2, 4, 2, 48, 16);

    /** A shard of documents following a simple learnable pattern (an arithmetic walk through the vocabulary). */
    static Path shard(Path dir) throws IOException {
        Path p = dir.resolve("train.tokens");
        Random r = new Random(0);
        try (TokenShardWriter w = new TokenShardWriter(p, CONFIG.vocabSize(), 2)) {
            for (int d = 0; d < 200; d++) {
                int start = 3 + r.nextInt(30), step = 1 + r.nextInt(3);
                int[] doc = new int[20];
                for (int i = 0; i < doc.length; i++) doc[i] = 3 + Math.floorMod(start + i * step - 3, CONFIG.vocabSize() - 3);
                w.addDocument(doc);
            }
        }
        return p;
    }

    static TrainOptions options(Path out, long steps, int checkpointEvery) {
        return new TrainOptions(4, 16, steps, 2, 1e-2, 1e-3, 2, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), 42, 1, checkpointEvery, out);
    }

    record Run(List<Double> losses, Map<String, float[]> params) {
    }

    static Run train(Path data, Path out, long steps, int every, Path resume) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(2); TokenShard s = TokenShard.open(data)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, 42);
            TrainOptions o = options(out, steps, every);
            Trainer t = new Trainer(m, dev, new PackedBatches(List.of(s), o.batch(), o.seq(), o.seed()), o, 0);
            if (resume != null) t.resumeFrom(resume);
            List<Double> losses = new ArrayList<>();
            t.run(metrics -> losses.add(metrics.loss()));
            Map<String, float[]> params = new java.util.LinkedHashMap<>();
            m.parameters().forEach((k, v) -> params.put(k, v.toArray()));
            return new Run(losses, params);
        }
    }

    @Test
    void lossFallsOnLearnableData(@TempDir Path dir) throws IOException {
        Run r = train(shard(dir), dir.resolve("run"), 60, 0, null);
        assertThat(r.losses().getLast()).as("losses %s", r.losses()).isLessThan(0.6 * r.losses().getFirst());
        assertThat(Files.readAllLines(dir.resolve("run/metrics.jsonl"))).hasSize(60).first().asString().contains("\"loss\"").contains("\"grad_norm\"").contains("\"tokens_per_second\"").contains("\"mfu\"");
        assertThat(dir.resolve("run/checkpoints/step-00000060/model.safetensors")).exists();
    }

    @Test
    void resumingFromACheckpointIsBitwiseIdenticalToAnUninterruptedRun(@TempDir Path dir) throws IOException {
        Path data = shard(dir);
        Run full = train(data, dir.resolve("a"), 6, 3, null);
        Path ckpt = dir.resolve("a/checkpoints/step-00000003");
        assertThat(ckpt.resolve("optimizer.safetensors")).exists();
        Run resumed = train(data, dir.resolve("b"), 6, 0, ckpt);
        // Resuming in the same run directory drops the metrics of the steps after the checkpoint instead of repeating them.
        train(data, dir.resolve("a"), 6, 0, ckpt);
        assertThat(Files.readAllLines(dir.resolve("a/metrics.jsonl"))).hasSize(6);
        assertThat(resumed.losses()).containsExactlyElementsOf(full.losses().subList(3, 6));
        full.params().forEach((k, v) -> {
            float[] r = resumed.params().get(k);
            int diffs = 0, first = -1;
            for (int i = 0; i < v.length; i++) if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(r[i])) { diffs++; if (first < 0) first = i; }
            assertThat(diffs).as("%s: %d of %d values differ, first at %d: %s vs %s", k, diffs, v.length, first, first < 0 ? "" : v[first], first < 0 ? "" : r[first]).isZero();
        });
    }

    @Test
    void resumeRefusesACheckpointOfAnotherSeedOrDataShape(@TempDir Path dir) throws IOException {
        Path data = shard(dir);
        train(data, dir.resolve("a"), 2, 1, null);
        try (CpuDevice dev = CpuDevice.withThreads(1); TokenShard s = TokenShard.open(data)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, 1);
            TrainOptions o = new TrainOptions(4, 16, 4, 1, 1e-3, 1e-4, 0, "constant", 0, AdamWOptimizer.Settings.telechat(), 7, 1, 0, dir.resolve("c"));
            Trainer t = new Trainer(m, dev, new PackedBatches(List.of(s), 4, 16, 7), o, 0);
            assertThatThrownBy(() -> t.resumeFrom(dir.resolve("a/checkpoints/step-00000001"))).hasMessageContaining("--seed 42");
            TrainOptions otherShape = new TrainOptions(2, 16, 4, 2, 1e-3, 1e-4, 0, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), 42, 1, 0, dir.resolve("d"));
            Trainer t2 = new Trainer(TeleChat2.initialize(CONFIG, dev, 42), dev, new PackedBatches(List.of(s), 2, 16, 42), otherShape, 0);
            assertThatThrownBy(() -> t2.resumeFrom(dir.resolve("a/checkpoints/step-00000001"))).hasMessageContaining("batch 4").hasMessageContaining("same data order");
        }
    }

    @Test
    void gradientClippingBoundsTheGlobalNorm() {
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, 3);
            AdamWOptimizer opt = new AdamWOptimizer(m, AdamWOptimizer.Settings.telechat(), dev);
            int[] ids = new int[32];
            for (int i = 0; i < ids.length; i++) ids[i] = i % CONFIG.vocabSize();
            Tensor loss = m.loss(ids, ids, 2, 16);
            loss.backward();
            double norm = opt.gradNorm();
            // Independent recomputation of the global norm.
            double sum = 0;
            for (Tensor p : m.parameters().values()) for (float g : p.grad().toArray()) sum += (double) g * g;
            assertThat(norm).isCloseTo(Math.sqrt(sum), org.assertj.core.data.Offset.offset(1e-6 * Math.sqrt(sum)));
            opt.scaleGrads((float) (0.5 / norm));
            assertThat(opt.gradNorm()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void schedulesWarmUpThenDecay() {
        LrSchedule s = LrSchedule.of("cosine", 1.0, 0.1, 10, 110);
        assertThat(s.at(0)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(9)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(60)).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(110)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(LrSchedule.of("constant", 2.0, 0, 0, 5).at(3)).isEqualTo(2.0);
        assertThatThrownBy(() -> LrSchedule.of("linear", 1, 0, 0, 1)).hasMessageContaining("linear");
    }
}
