package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.train.AdamWOptimizer;
import wanka.train.CheckpointLayout;
import wanka.train.CheckpointWriter;
import wanka.train.Checkpoints;
import wanka.train.RankShard;
import wanka.train.ShardTensor;
import wanka.train.TrainOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asynchronous checkpoints (issue 10): the step pays for a snapshot only, at most one write is in flight (the next
 * snapshot waits for it), a run checkpointing every step in the background resumes bitwise like a synchronous one, and
 * the stall per checkpoint is measured against synchronous writing.
 */
class AsyncCheckpointTest {
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

    @Test
    void theNextSnapshotWaitsForTheWriteInFlight(@TempDir Path out) {
        Checkpoints ck = new Checkpoints(out);
        TeleChat2Config cfg = TeleChat2Config.of(64, 16, 1, 2, 2, 32, 16);
        List<Boolean> previousCommitted = new ArrayList<>();
        try (CheckpointWriter w = new CheckpointWriter(out, 0, new CheckpointLayout(1, 1, 1, 1, false), cfg, CheckpointWriter.Policy.every(1, 0, true), m -> { })) {
            for (long step = 1; step <= 3; step++) {
                long s = step;
                w.afterStep(s, 3, () -> {
                    previousCommitted.add(s == 1 || Files.isDirectory(ck.dir(s - 1)));
                    return new RankShard(0, s, List.of(new ShardTensor("lm_head.weight", ShardTensor.Kind.PARAM, new int[]{64, 16}, -1, 0, 1, 0, 1024)),
                            List.of(new float[1024]));
                }, () -> new Checkpoints.State(s, 1, 0, 0, "cosine", 1e-3, 3, 0, 1, 16, 1));
            }
        }
        assertThat(previousCommitted).containsExactly(true, true, true);
        assertThat(ck.dir(3)).isDirectory();
    }

    @Test
    void aRunCheckpointingEveryStepInTheBackgroundResumesBitwise() throws IOException {
        ParallelLayout l = ShardedCheckpointTest.layout(1, 2, 1, 2, true);
        var whole = ShardedCheckpointTest.train(shard, l, dir.resolve("whole"), CheckpointWriter.Policy.NONE, false, 0);
        Path out = dir.resolve("async");
        ShardedCheckpointTest.train(shard, l, out, CheckpointWriter.Policy.every(1, 3, true), false, 5);
        assertThat(new Checkpoints(out).newestFirst()).extracting(p -> p.getFileName().toString()).containsExactly("step-00000005", "step-00000004", "step-00000003");
        var resumed = ShardedCheckpointTest.train(shard, l, out, CheckpointWriter.Policy.every(1, 3, true), true, 0);
        assertThat(resumed.log()).anyMatch(s -> s.contains("resumed from") && s.contains("step-00000005"));
        assertThat(resumed.log()).anyMatch(s -> s.contains("asynchronous"));
        ShardedCheckpointTest.assertBitwiseEqual(resumed.weights(), whole.weights());
    }

    /**
     * The stall per checkpoint, synchronous vs asynchronous, on a 2-rank data-parallel ZeRO-1 run of a model of
     * 2.1 M parameters (each checkpoint: weights and both moments, 25 MB) checkpointing every step.
     */
    @Test
    void measuresTheCheckpointStallAsyncVersusSync() throws IOException {
        TeleChat2Config cfg = TeleChat2Config.of(1024, 256, 2, 4, 2, 768, 16);
        double[] perCheckpointMs = new double[2];
        double[] stepMs = new double[2];
        for (int async = 0; async < 2; async++) {
            Path out = dir.resolve("stall-" + async);
            ParallelLayout l = new ParallelLayout(1, 2, 1, 1, 2, 4, true, false, 1 << 20, List.of());
            TrainOptions o = new TrainOptions(4, 16, 6, 1, 1e-3, 1e-4, 1, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), 1, 1, 0, out);
            var job = new ParallelRun.Job(l, o, d -> TeleChat2.initialize(cfg, d, 1), new PackedBatches(List.of(shard), 4, 16, 1), 1);
            AtomicLong stepNanos = new AtomicLong();
            List<String> log = new ArrayList<>();
            try (var world = InProcessWorld.create(2, Duration.ofSeconds(120))) {
                ParallelRun.run(world, job, CheckpointWriter.Policy.every(1, 2, async == 1), false, s -> {
                    if (s.rank() == 0 && s.step() > 1) stepNanos.addAndGet((long) (s.stepMs() * 1e6));
                }, log::add);
            }
            String line = log.stream().filter(s -> s.startsWith("checkpoints:")).findFirst().orElseThrow();
            perCheckpointMs[async] = Double.parseDouble(line.replaceAll(".*held ([0-9.]+) ms.*", "$1"));
            stepMs[async] = stepNanos.get() / 1e6 / 5;
        }
        System.out.printf("checkpoint stall per checkpoint (%.1f MB, 2 ranks, every step): synchronous %.1f ms, asynchronous %.1f ms (mean step %.1f ms / %.1f ms)%n",
                12.0 * cfg.parameterCount() / 1e6, perCheckpointMs[0], perCheckpointMs[1], stepMs[0], stepMs[1]);
        assertThat(perCheckpointMs[1]).isLessThan(perCheckpointMs[0]);
    }
}
