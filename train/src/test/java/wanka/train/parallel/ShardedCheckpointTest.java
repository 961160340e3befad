package wanka.train.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.DistException;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.AdamWOptimizer;
import wanka.train.CheckpointWriter;
import wanka.train.Checkpoints;
import wanka.train.TrainOptions;
import wanka.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wanka.train.parallel.ParallelTrainingTest.CONFIG;
import static wanka.train.parallel.ParallelTrainingTest.SEED;
import static wanka.train.parallel.ParallelTrainingTest.SEQ;

/**
 * Sharded checkpoints of the parallel trainer (issue 10): a run that stops after step 5 and resumes from its step-4
 * checkpoint ends with weights bitwise equal to an uninterrupted run's under the same layout (dp2, tp2, pp2, and
 * tp2 × dp2 × pp2 with ZeRO-1); a checkpoint resumes under another layout, or in the single-process trainer, and the
 * single-process trainer's checkpoints resume in parallel, reproducing the losses within 1e-4; a damaged newest
 * checkpoint is skipped, naming the file; another model's checkpoint or another batch shape is refused, naming it.
 */
class ShardedCheckpointTest {
    static final int STEPS = 8;

    @TempDir
    static Path dir;
    static TokenShard shard;

    @BeforeAll
    static void data() throws IOException {
        shard = TokenShard.open(ParallelTrainingTest.writeShard(dir));
    }

    @AfterAll
    static void close() {
        shard.close();
    }

    static TrainOptions options(Path out, int batch, int accum) {
        return new TrainOptions(batch, SEQ, STEPS, accum, 1e-2, 1e-3, 2, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), SEED, 1, 0, out);
    }

    static ParallelLayout layout(int tp, int dp, int pp, int micro, boolean zero) {
        return new ParallelLayout(tp, dp, pp, 1, micro, 8, zero, false, 3000, List.of());
    }

    /** Thrown by every rank's listener after the step a test stops at: the run ends as a crashed job would. */
    static final class Stop extends RuntimeException {
        Stop() {
            super("stopped on purpose");
        }
    }

    record Run(List<Double> losses, Map<String, float[]> weights, List<String> log) {
    }

    /** Trains {@code layout} into {@code out} until step STEPS, or stops after {@code stopAfter} (> 0). */
    static Run train(ParallelLayout layout, Path out, CheckpointWriter.Policy policy, boolean resume, int stopAfter) throws IOException {
        return train(shard, layout, out, policy, resume, stopAfter);
    }

    static Run train(TokenShard shard, ParallelLayout layout, Path out, CheckpointWriter.Policy policy, boolean resume, int stopAfter) throws IOException {
        var job = new ParallelRun.Job(layout, options(out, layout.microBatch() * layout.dp(), layout.microBatches()),
                d -> TeleChat2.initialize(CONFIG, d, SEED), new PackedBatches(List.of(shard), layout.microBatch() * layout.dp(), SEQ, SEED), 1);
        List<Double> losses = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(120))) {
            ParallelRun.run(world, job, policy, resume, s -> {
                if (s.rank() == 0) losses.add(s.loss());
                if (stopAfter > 0 && s.step() == stopAfter) throw new Stop();
            }, log::add);
        } catch (DistException e) {
            if (stopAfter == 0 || !(e.getCause() instanceof Stop)) throw e;
            return new Run(losses, Map.of(), log);
        }
        return new Run(losses, ModelIO.readArrays(out.resolve("model/model.safetensors")), log);
    }

    static void assertBitwiseEqual(Map<String, float[]> a, Map<String, float[]> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        for (String k : a.keySet()) assertThat(Arrays.equals(a.get(k), b.get(k))).as(k).isTrue();
    }

    /** Uninterrupted vs stopped after step 5 and resumed from the step-4 checkpoint, same layout. */
    static void resumesBitwise(String name, ParallelLayout layout) throws IOException {
        Run whole = train(layout, dir.resolve(name + "-whole"), CheckpointWriter.Policy.NONE, false, 0);
        Path out = dir.resolve(name + "-stopped");
        train(layout, out, CheckpointWriter.Policy.every(2, 0, false), false, 5);
        assertThat(new Checkpoints(out).newestFirst()).extracting(p -> p.getFileName().toString()).containsExactly("step-00000004", "step-00000002");
        Run resumed = train(layout, out, CheckpointWriter.Policy.every(2, 0, false), true, 0);
        assertThat(resumed.log()).anyMatch(l -> l.contains("resumed from") && l.contains("step-00000004"));
        assertThat(resumed.losses()).isEqualTo(whole.losses().subList(4, STEPS));
        assertBitwiseEqual(resumed.weights(), whole.weights());
        System.out.printf("%-22s resumed at step 4: weights after step %d bitwise equal to the uninterrupted run's%n", name, STEPS);
    }

    @Test
    void dataParallelResumesBitwise() throws IOException {
        resumesBitwise("dp2", layout(1, 2, 1, 2, false));
    }

    @Test
    void tensorParallelResumesBitwise() throws IOException {
        resumesBitwise("tp2", layout(2, 1, 1, 4, false));
    }

    @Test
    void pipelineParallelResumesBitwise() throws IOException {
        resumesBitwise("pp2", layout(1, 1, 2, 4, false));
    }

    @Test
    void allThreeWithZeroResumeBitwise() throws IOException {
        resumesBitwise("tp2 dp2 pp2 zero-1", layout(2, 2, 2, 2, true));
    }

    @Test
    void theManifestCommitsEveryRanksShardWithLayoutStateAndChecksums() throws IOException {
        Path out = dir.resolve("manifest");
        train(layout(2, 2, 2, 2, true), out, CheckpointWriter.Policy.every(4, 0, false), false, 4);
        Path ckpt = out.resolve("checkpoints/step-00000004");
        JsonNode m = new ObjectMapper().readTree(ckpt.resolve("manifest.json").toFile());
        assertThat(m.get("format").asInt()).isEqualTo(2);
        assertThat(m.get("step").asLong()).isEqualTo(4);
        JsonNode l = m.get("layout");
        assertThat(List.of(l.get("tp").asInt(), l.get("dp").asInt(), l.get("pp").asInt(), l.get("vpp").asInt())).containsExactly(2, 2, 2, 1);
        assertThat(l.get("zero").asBoolean()).isTrue();
        assertThat(m.get("state").get("seed").asLong()).isEqualTo(SEED);
        assertThat(m.get("state").get("step").asLong()).isEqualTo(4);
        List<String> paths = new ArrayList<>();
        for (JsonNode f : m.get("files")) {
            byte[] bytes = Files.readAllBytes(ckpt.resolve(f.get("path").asText()));
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertThat(f.get("crc32c").asLong()).as(f.get("path").asText()).isEqualTo(crc.getValue());
            assertThat(f.get("bytes").asLong()).isEqualTo(bytes.length);
            paths.add(f.get("path").asText());
        }
        for (int r = 0; r < 8; r++) assertThat(paths).contains(String.format("rank-%05d/shard.safetensors", r), String.format("rank-%05d/shard.json", r));
        assertThat(paths).contains("config.json", "trainer_state.json");
        assertThat(out.resolve("checkpoints")).isDirectoryNotContaining("glob:**.partial");
    }

    /** A 2×2×2 ZeRO-1 checkpoint at step 4, resumed under other layouts and in one process: losses within 1e-4. */
    @Test
    void resumesUnderAnotherLayoutAndInOneProcess() throws IOException {
        ParallelLayout written = layout(2, 2, 2, 2, true);
        Run whole = train(written, dir.resolve("reshard-whole"), CheckpointWriter.Policy.NONE, false, 0);
        Path source = dir.resolve("reshard-source");
        train(written, source, CheckpointWriter.Policy.every(4, 0, false), false, 4);
        List<Double> expected = whole.losses().subList(4, STEPS);
        for (ParallelLayout target : List.of(layout(1, 2, 1, 2, false), layout(2, 1, 1, 4, false), layout(1, 1, 2, 4, false), layout(1, 4, 1, 1, true))) {
            Path out = dir.resolve("reshard-" + target.describe().replace(' ', '_'));
            CheckpointsTestSupport.copyTree(source, out);
            Run r = train(target, out, CheckpointWriter.Policy.NONE, true, 0);
            assertThat(r.log()).anyMatch(l -> l.contains("written by tp2 dp2 pp2 zero-1"));
            double dev = maxRelative(r.losses(), expected);
            System.out.printf("resharded tp2 dp2 pp2 zero-1 -> %-40s max relative loss deviation %.2e%n", target.describe(), dev);
            assertThat(dev).isLessThan(1e-4);
        }
        // Into the single-process trainer, and from its checkpoint back into a pipeline.
        Path single = dir.resolve("reshard-single");
        CheckpointsTestSupport.copyTree(source, single);
        List<Double> losses = new ArrayList<>();
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            Trainer t = new Trainer(TeleChat2.initialize(CONFIG, dev, SEED), dev, new PackedBatches(List.of(shard), 4, SEQ, SEED),
                    new TrainOptions(4, SEQ, STEPS, 2, 1e-2, 1e-3, 2, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), SEED, 1, 6, single), 0);
            t.resumeFrom(single.resolve("checkpoints/step-00000004"), m -> { });
            t.run(m -> losses.add(m.loss()));
        }
        assertThat(maxRelative(losses, expected)).isLessThan(1e-4);
        Path back = dir.resolve("reshard-back");
        Files.createDirectories(back.resolve("checkpoints"));
        CheckpointsTestSupport.copyTree(single.resolve("checkpoints/step-00000006"), back.resolve("checkpoints/step-00000006"));
        Run r = train(layout(1, 1, 2, 4, false), back, CheckpointWriter.Policy.NONE, true, 0);
        assertThat(r.log()).anyMatch(l -> l.contains("step-00000006") && l.contains("written by tp1 dp1 pp1"));
        assertThat(maxRelative(r.losses(), whole.losses().subList(6, STEPS))).isLessThan(1e-4);
    }

    static double maxRelative(List<Double> a, List<Double> b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.size(); i++) max = Math.max(max, Math.abs(a.get(i) - b.get(i)) / Math.abs(b.get(i)));
        return max;
    }

    @Test
    void aDamagedNewestCheckpointIsSkippedNamingTheFile() throws IOException {
        ParallelLayout l = layout(1, 2, 1, 2, true);
        Run whole = train(l, dir.resolve("damaged-whole"), CheckpointWriter.Policy.NONE, false, 0);
        Path out = dir.resolve("damaged");
        train(l, out, CheckpointWriter.Policy.every(2, 0, false), false, 5);
        Path bad = out.resolve("checkpoints/step-00000004/rank-00001/shard.safetensors");
        byte[] b = Files.readAllBytes(bad);
        b[b.length - 3] ^= 0x10;
        Files.write(bad, b);
        Run r = train(l, out, CheckpointWriter.Policy.every(2, 0, false), true, 0);
        assertThat(r.log()).anyMatch(s -> s.contains("skipping") && s.contains(bad.toString()) && s.contains("CRC-32C"));
        assertThat(r.log()).anyMatch(s -> s.contains("resumed from") && s.contains("step-00000002"));
        assertBitwiseEqual(r.weights(), whole.weights());
        // The damaged checkpoint was committed once: the rerun's step 4 moved it aside rather than overwrite it.
        assertThat(out.resolve("checkpoints/step-00000004.superseded-1/rank-00001/shard.safetensors")).exists();
    }

    @Test
    void anotherModelOrBatchShapeIsRefusedNamingTheCheckpoint() throws IOException {
        Path out = dir.resolve("refused");
        train(layout(1, 2, 1, 2, false), out, CheckpointWriter.Policy.every(2, 0, false), false, 2);
        // Another batch shape: micro-batch × dp 2 instead of 4 changes the data order.
        Path other = dir.resolve("refused-shape");
        CheckpointsTestSupport.copyTree(out, other);
        assertThatThrownBy(() -> train(new ParallelLayout(1, 2, 1, 1, 1, 8, false, false, 3000, List.of()), other, CheckpointWriter.Policy.NONE, true, 0))
                .hasMessageContaining("step-00000002").hasMessageContaining("micro-batch × dp must stay the same");
        // Another model.
        Path otherModel = dir.resolve("refused-model");
        CheckpointsTestSupport.copyTree(out, otherModel);
        Path ckpt = otherModel.resolve("checkpoints/step-00000002");
        TeleChat2Config bigger = TeleChat2Config.of(64, 64, 2, 4, 2, 128, 16);
        bigger.write(ckpt.resolve("config.json"));
        // Re-commit the manifest over the changed config so only the model check can refuse it.
        wanka.train.CheckpointManifest old = wanka.train.CheckpointManifest.read(ckpt).orElseThrow();
        Files.delete(ckpt.resolve("manifest.json"));
        wanka.train.CheckpointManifest.of(ckpt, 2, old.layout(), old.state(), Map.of()).write(ckpt);
        assertThatThrownBy(() -> train(layout(1, 2, 1, 2, false), otherModel, CheckpointWriter.Policy.NONE, true, 0))
                .hasMessageContaining(ckpt.resolve("config.json").toString()).hasMessageContaining("another model");
    }
}
