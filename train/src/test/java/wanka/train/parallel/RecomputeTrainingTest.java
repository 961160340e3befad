package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.train.StepMetrics;
import wanka.train.Trainer;
import wanka.train.recompute.RecomputePlan;
import wanka.train.recompute.RecomputingBlock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.train.parallel.ParallelTrainingTest.CONFIG;
import static wanka.train.parallel.ParallelTrainingTest.SEQ;
import static wanka.train.parallel.ParallelTrainingTest.STEPS;

/**
 * Recompute per layer (F5): none, selective, full and a per-layer plan file each reproduce the single-process
 * loss at each of 20 steps within 1e-4 relative, in one process and on tp2 × pp2, and each keeps less memory
 * than the one before (the peak allocated bytes of the step logs).
 */
class RecomputeTrainingTest {
    @TempDir
    static Path dir;
    static TokenShard shard;
    static List<Double> reference;

    @BeforeAll
    static void referenceRun() throws IOException {
        shard = TokenShard.open(ParallelTrainingTest.writeShard(dir));
        reference = ParallelTrainingTest.referenceLosses(shard, dir.resolve("single"));
    }

    @AfterAll
    static void close() {
        shard.close();
    }

    /** A plan file recomputing different things per layer, made for the tp2 pp2 layout. */
    static RecomputePlan mixedPlan() throws IOException {
        Path f = wanka.train.plan.TestPlans.write(dir.resolve("plan.json"), wanka.train.plan.TestPlans.layout(1, 2, 2, 4, 8, SEQ), CONFIG.numLayers(),
                Map.of(0, wanka.train.plan.TestPlans.WHOLE, 1, List.of("attn-scores", "mlp-fc1-out"), 2, List.of("mlp-fc1-out")));
        return RecomputePlan.parse(f.toString());
    }

    record Run(List<Double> losses, long peak) {
    }

    static Run single(RecomputePlan plan) throws IOException {
        List<StepMetrics> ms = new ArrayList<>();
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, ParallelTrainingTest.SEED);
            int[] layer = {0};
            m.mapBlocks(b -> RecomputingBlock.wrap(b, layer[0]++, plan));
            new Trainer(m, dev, ParallelTrainingTest.data(shard), ParallelTrainingTest.options(dir.resolve("single-" + plan + "-" + System.nanoTime())), 0).run(ms::add);
        }
        return new Run(ms.stream().map(StepMetrics::loss).toList(), ms.stream().mapToLong(StepMetrics::peakBytes).max().orElseThrow());
    }

    /** tp2 × pp2: losses of rank 0 and the largest peak over ranks and steps. */
    static Run tp2pp2(RecomputePlan plan) {
        ParallelLayout layout = ParallelTrainingTest.layout(2, 1, 2, 4).withRecompute(plan);
        Map<Integer, List<StepLog>> logs;
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(120))) {
            logs = ParallelRun.run(world, ParallelTrainingTest.job(layout, shard, dir.resolve("tp2pp2-" + plan.source().hashCode() + "-" + System.nanoTime())), s -> { });
        }
        long peak = logs.values().stream().flatMap(List::stream).mapToLong(StepLog::peakBytes).max().orElseThrow();
        return new Run(logs.get(0).stream().map(StepLog::loss).toList(), peak);
    }

    static void report(String name, Run r) {
        double dev = ParallelTrainingTest.maxDeviation(r.losses(), reference);
        System.out.printf("recompute %-28s max relative loss deviation over %d steps: %.3e, peak %,d bytes%n", name, STEPS, dev, r.peak());
        assertThat(dev).as(name).isLessThan(1e-4);
    }

    @Test
    void singleProcess() throws IOException {
        Run none = single(RecomputePlan.NONE), selective = single(RecomputePlan.SELECTIVE), full = single(RecomputePlan.FULL);
        report("single none", none);
        report("single selective", selective);
        report("single full", full);
        // Recomputation repeats the same operations: the single-process losses are bitwise those without it.
        assertThat(selective.losses()).isEqualTo(none.losses());
        assertThat(full.losses()).isEqualTo(none.losses());
        // Selective drops the rotated q (b·s·h) and key_value (b·s·2·kv·d) copies of every layer; full keeps one input per layer.
        long b = 4, s = ParallelTrainingTest.SEQ, h = CONFIG.hiddenSize(), kvw = 2L * CONFIG.numKvHeads() * CONFIG.headDim();
        assertThat(none.peak() - selective.peak()).isEqualTo(4 * b * s * (h + kvw) * CONFIG.numLayers());
        assertThat(full.peak()).isLessThan(selective.peak());
    }

    @Test
    void tensorAndPipelineParallel() throws IOException {
        Run none = tp2pp2(RecomputePlan.NONE), selective = tp2pp2(RecomputePlan.SELECTIVE), full = tp2pp2(RecomputePlan.FULL), plan = tp2pp2(mixedPlan());
        report("tp2 pp2 none", none);
        report("tp2 pp2 selective", selective);
        report("tp2 pp2 full", full);
        report("tp2 pp2 plan file", plan);
        assertThat(selective.peak()).isLessThan(none.peak());
        assertThat(full.peak()).isLessThan(selective.peak());
        assertThat(plan.peak()).isLessThan(none.peak());
    }
}
