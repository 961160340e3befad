package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.TeleChat2Config;
import wanka.train.recompute.RecomputePlan;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.train.parallel.ParallelTrainingTest.CONFIG;
import static wanka.train.parallel.ParallelTrainingTest.SEQ;

/**
 * Multi-replica (F2): with {@code replicas 2} each micro-batch's tensor-parallel region runs as two copies whose
 * all-reduces overlap the other copy's computation; tp2 and tp2 × pp2 (also with selective and full recompute)
 * reproduce the single-process losses of 20 steps within 1e-4 relative, move the same tensor-parallel bytes, and
 * the step logs show time the all-reduces spent in flight while the rank computed (overlapped), which without
 * replicas is all exposed.
 */
class MultiReplicaTrainingTest {
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

    static Map<Integer, List<StepLog>> run(String name, ParallelLayout layout) {
        Map<Integer, List<StepLog>> logs;
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(120))) {
            logs = ParallelRun.run(world, ParallelTrainingTest.job(layout, shard, dir.resolve(name.replace(' ', '-') + "-" + System.nanoTime())), s -> { });
        }
        List<Double> losses = logs.get(0).stream().map(StepLog::loss).toList();
        double dev = ParallelTrainingTest.maxDeviation(losses, reference);
        double exposed = logs.get(0).stream().mapToDouble(StepLog::exposedCommMs).sum(), overlapped = logs.get(0).stream().mapToDouble(StepLog::overlappedCommMs).sum();
        System.out.printf("layout %-32s max relative loss deviation over %d steps: %.3e; rank 0 communication exposed %.1f ms, overlapped %.1f ms%n",
                name, ParallelTrainingTest.STEPS, dev, exposed, overlapped);
        assertThat(dev).as(name).isLessThan(1e-4);
        return logs;
    }

    @Test
    void tensorParallel() {
        ParallelLayout tp2 = ParallelTrainingTest.layout(2, 1, 1, 4);
        Map<Integer, List<StepLog>> one = run("tp2", tp2), two = run("tp2 replicas 2", tp2.withReplicas(2));
        StepLog a = one.get(0).getLast(), b = two.get(0).getLast();
        assertThat(b.bytes()).isEqualTo(a.bytes());
        // Tensor-parallel collectives without replicas are waited for at once; with them, one copy's run while the other computes.
        assertThat(two.get(0).stream().mapToDouble(StepLog::overlappedCommMs).sum()).isGreaterThan(0);
        TeleChat2Config c = CONFIG;
        long bsh = 4L * SEQ * c.hiddenSize();
        assertThat(b.bytes().get("all_reduce/tp")).isEqualTo(4 * 2 * (c.numLayers() * 4 * bsh + 2 * bsh + 3 * 4L * SEQ) + 8);
    }

    @Test
    void tensorAndPipelineParallelWithRecompute() {
        ParallelLayout l = ParallelTrainingTest.layout(2, 1, 2, 4).withReplicas(2);
        run("tp2 pp2 replicas 2", l);
        run("tp2 pp2 replicas 2 selective", l.withRecompute(RecomputePlan.SELECTIVE));
        run("tp2 pp2 replicas 2 full", l.withRecompute(RecomputePlan.FULL));
        run("tp2 dp2 pp2 replicas 2 vpp2", ParallelTrainingTest.stages(ParallelTrainingTest.layout(2, 2, 2, 2).withReplicas(2), 2, List.of()));
    }

    @Test
    void replicasMustDivideTheMicroBatch() {
        ParallelLayout l = ParallelTrainingTest.layout(2, 1, 1, 3).withReplicas(2);
        assertThat(l.problems(CONFIG, SEQ, 2)).anyMatch(p -> p.contains("--replicas 2") && p.contains("--micro-batch 3"));
        assertThat(ParallelTrainingTest.sequenceParallel(ParallelTrainingTest.layout(2, 1, 1, 4)).withReplicas(2).problems(CONFIG, SEQ, 2)).isEmpty();
        assertThat(ParallelTrainingTest.sequenceParallel(ParallelTrainingTest.layout(2, 1, 1, 2)).withReplicas(2).problems(CONFIG, SEQ, 2))
                .anyMatch(p -> p.contains("whole sequences") && p.contains("--micro-batch 2 is not a multiple of --tp 2 × --replicas 2"));
    }

    /**
     * Sequence parallel with replicas: each copy's all-gather and reduce-scatter in flight while another copy computes;
     * the same bytes as sequence parallel without replicas, the single-process losses, and bitwise equal reruns.
     */
    @Test
    void sequenceParallel() {
        ParallelLayout sp = ParallelTrainingTest.sequenceParallel(ParallelTrainingTest.layout(2, 1, 1, 4));
        Map<Integer, List<StepLog>> one = run("tp2 sp", sp), two = run("tp2 sp replicas 2", sp.withReplicas(2)),
                again = run("tp2 sp replicas 2 again", sp.withReplicas(2));
        assertThat(two.get(0).getLast().bytes()).isEqualTo(one.get(0).getLast().bytes()).containsKeys("all_gather/tp", "reduce_scatter/tp");
        assertThat(two.get(0).stream().mapToDouble(StepLog::overlappedCommMs).sum()).isGreaterThan(0);
        for (int rank : List.of(0, 1)) {
            assertThat(again.get(rank).stream().map(StepLog::loss).toList()).isEqualTo(two.get(rank).stream().map(StepLog::loss).toList());
            assertThat(again.get(rank).stream().map(StepLog::gradNorm).toList()).isEqualTo(two.get(rank).stream().map(StepLog::gradNorm).toList());
        }
        ParallelLayout spPp = ParallelTrainingTest.sequenceParallel(ParallelTrainingTest.layout(2, 1, 2, 4)).withReplicas(2);
        run("tp2 pp2 sp replicas 2 full", spPp.withRecompute(RecomputePlan.FULL));
        run("tp2 pp2 sp replicas 2 selective", spPp.withRecompute(RecomputePlan.SELECTIVE));
    }
}
