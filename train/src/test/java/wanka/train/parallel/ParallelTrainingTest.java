package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.AdamWOptimizer;
import wanka.train.TrainOptions;
import wanka.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layout reproduces the single-process {@link Trainer}'s loss at each of 20 steps within 1e-4 relative on
 * a test-sized TeleChat2 with grouped-query attention (d = 64, 4 q heads, 2 kv heads, 4 layers), and a rerun of
 * a layout is bitwise equal. The single-process run has batch 4 and gradient accumulation 2; every layout
 * covers the same 8 sequences per step.
 */
class ParallelTrainingTest {
    static final TeleChat2Config CONFIG = TeleChat2Config.of(64, 64, 4, 4, 2, 128, 16);
    static final int SEQ = 16, STEPS = 20;
    static final long SEED = 42;

    @TempDir
    static Path dir;
    static TokenShard shard;
    static List<Double> reference;

    @BeforeAll
    static void referenceRun() throws IOException {
        shard = TokenShard.open(writeShard(dir));
        reference = referenceLosses(shard, dir.resolve("single"));
    }

    /** A shard of documents following a simple learnable pattern (arithmetic walks through the vocabulary). */
    static Path writeShard(Path dir) throws IOException {
        Path p = dir.resolve("train.tokens");
        Random r = new Random(0);
        try (TokenShardWriter w = new TokenShardWriter(p, CONFIG.vocabSize(), 2)) {
            for (int d = 0; d < 200; d++) {
                int start = 3 + r.nextInt(30), step = 1 + r.nextInt(3);
                int[] doc = new int[24];
                for (int i = 0; i < doc.length; i++) doc[i] = 3 + Math.floorMod(start + i * step - 3, CONFIG.vocabSize() - 3);
                w.addDocument(doc);
            }
        }
        return p;
    }

    /** The single-process Trainer's losses: batch 4, gradient accumulation 2, 20 steps. */
    static List<Double> referenceLosses(TokenShard shard, Path out) throws IOException {
        List<Double> losses = new ArrayList<>();
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            new Trainer(TeleChat2.initialize(CONFIG, dev, SEED), dev, data(shard), options(out), 0).run(m -> losses.add(m.loss()));
        }
        return losses;
    }

    @AfterAll
    static void close() {
        shard.close();
    }

    static TrainOptions options(Path out) {
        return new TrainOptions(4, SEQ, STEPS, 2, 1e-2, 1e-3, 2, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), SEED, 1, 0, out);
    }

    static PackedBatches data(TokenShard shard) {
        return new PackedBatches(List.of(shard), 4, SEQ, SEED);
    }

    /** The job every test layout runs: the reference's model, data and options, small gradient buckets. */
    static ParallelRun.Job job(ParallelLayout layout, TokenShard shard, Path out) {
        return new ParallelRun.Job(layout.withBucketElements(3000), options(out), d -> TeleChat2.initialize(CONFIG, d, SEED), data(shard), 1);
    }

    /** Losses of rank 0 and the trained model, for a layout run in-process. */
    record Result(List<Double> losses, Path out) {
    }

    static Result train(String name, ParallelLayout layout) {
        Path out = dir.resolve(name + "-" + System.nanoTime());
        var job = job(layout, shard, out);
        Map<Integer, List<StepLog>> logs;
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(120))) {
            logs = ParallelRun.run(world, job, s -> { });
        }
        List<Double> losses = logs.get(0).stream().map(StepLog::loss).toList();
        for (var e : logs.entrySet()) {
            assertThat(e.getValue().stream().map(StepLog::loss).toList()).as("rank %d agrees with rank 0", e.getKey()).isEqualTo(losses);
        }
        StepLog last = logs.get(0).getLast();
        if (layout.dp() > 1 && layout.tp() == 1 && layout.pp() == 1) {
            // The whole gradient crosses the data-parallel group once per step (parallel-formulas §2.6), in buckets
            // of which all but the embedding's start while backward still runs.
            String op = layout.zero() ? "reduce_scatter/dp" : "all_reduce/dp";
            assertThat(last.bytes().get(op)).isGreaterThanOrEqualTo(4 * CONFIG.parameterCount()).isLessThan(4 * CONFIG.parameterCount() + 4L * last.buckets() * layout.dp());
            assertThat(last.buckets()).isGreaterThan(2);
            assertThat(last.bucketsOverlapped()).isGreaterThanOrEqualTo(last.buckets() - 1);
        }
        if (layout.tp() == 2 && layout.dp() == 1 && layout.pp() == 1 && !layout.sequenceParallel()) {
            // Megatron's tensor-parallel traffic (parallel-formulas §2.6): per layer and micro-batch two all-reduces of
            // b·s·h forward and two backward; plus the vocabulary-parallel embedding (forward) and the input of the LM
            // head (backward), b·s·h each, the loss's row maxima (b·s) and sums (2·b·s), and the gradient norm (a double).
            long bsh = (long) layout.microBatch() * SEQ * CONFIG.hiddenSize(), bs = (long) layout.microBatch() * SEQ;
            long floats = layout.microBatches() * (CONFIG.numLayers() * 4 * bsh + 2 * bsh + 3 * bs);
            assertThat(last.bytes().get("all_reduce/tp")).isEqualTo(4 * floats + 8);
        }
        if (layout.pp() == 2 && layout.tp() == 1) {
            // One activation forward and one gradient backward of b·s·h per micro-batch and stage boundary (×v interleaved):
            // rank 0 sends the output of each of its v chunks forward and the input gradient of all but its first back.
            long bsh = (long) layout.microBatch() * SEQ * CONFIG.hiddenSize();
            assertThat(last.bytes().get("send/pp")).isEqualTo(4 * bsh * layout.microBatches() * (2L * layout.vpp() - 1));
        }
        return new Result(losses, out);
    }

    static double maxDeviation(List<Double> losses) {
        return maxDeviation(losses, reference);
    }

    static double maxDeviation(List<Double> losses, List<Double> reference) {
        assertThat(losses).hasSize(STEPS);
        double max = 0;
        for (int i = 0; i < STEPS; i++) max = Math.max(max, Math.abs(losses.get(i) - reference.get(i)) / Math.abs(reference.get(i)));
        return max;
    }

    static Result check(String name, ParallelLayout layout) {
        Result r = train(name, layout);
        double dev = maxDeviation(r.losses());
        System.out.printf("layout %-28s max relative loss deviation over %d steps: %.3e (first %.5f, last %.5f)%n",
                name, STEPS, dev, r.losses().getFirst(), r.losses().getLast());
        assertThat(dev).as("%s losses %s vs single %s", name, r.losses(), reference).isLessThan(1e-4);
        return r;
    }

    static ParallelLayout layout(int tp, int dp, int pp, int micro) {
        return new ParallelLayout(tp, dp, pp, 1, micro, 8, false, false, ParallelLayout.DEFAULT_BUCKET_ELEMENTS, List.of());
    }

    @Test
    void singleRankLayoutReproducesTheTrainer() {
        check("tp1 dp1 pp1", layout(1, 1, 1, 4));
    }

    @Test
    void dataParallel() {
        check("dp2", layout(1, 2, 1, 2));
        check("dp4", layout(1, 4, 1, 1));
    }

    static ParallelLayout zero(ParallelLayout l) {
        return new ParallelLayout(l.tp(), l.dp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), true, l.sequenceParallel(), l.bucketElements(), l.stageLayers());
    }

    static ParallelLayout sequenceParallel(ParallelLayout l) {
        return new ParallelLayout(l.tp(), l.dp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), l.zero(), true, l.bucketElements(), l.stageLayers());
    }

    static ParallelLayout stages(ParallelLayout l, int vpp, List<Integer> layers) {
        return new ParallelLayout(l.tp(), l.dp(), l.pp(), vpp, l.microBatch(), l.globalBatch(), l.zero(), l.sequenceParallel(), l.bucketElements(), layers);
    }

    @Test
    void zeroOne() {
        check("dp2 zero-1", zero(layout(1, 2, 1, 2)));
        check("dp4 zero-1", zero(layout(1, 4, 1, 1)));
    }

    @Test
    void tensorParallel() {
        check("tp2", layout(2, 1, 1, 4));
        check("tp2 dp2", layout(2, 2, 1, 2));
        check("tp2 sequence-parallel", sequenceParallel(layout(2, 1, 1, 4)));
    }

    @Test
    void pipelineParallel() {
        check("pp2", layout(1, 1, 2, 4));
        check("pp2 uneven 3+1", stages(layout(1, 1, 2, 4), 1, List.of(3, 1)));
        check("pp2 vpp2", stages(layout(1, 1, 2, 4), 2, List.of()));
    }

    @Test
    void allThree() throws IOException {
        Result r = check("tp2 dp2 pp2", layout(2, 2, 2, 2));
        // The model rank 0 gathered and saved is an ordinary HF directory holding the single-process run's weights.
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            var parallel = ModelIO.load(r.out().resolve("model"), dev).parameters();
            var single = ModelIO.load(dir.resolve("single/checkpoints/step-00000020"), dev).parameters();
            assertThat(parallel.keySet()).containsExactlyElementsOf(single.keySet());
            for (String name : single.keySet()) {
                float[] a = parallel.get(name).toArray(), b = single.get(name).toArray();
                for (int i = 0; i < a.length; i++) assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        Result a = check("tp2 dp2 pp2 zero-1 sp vpp2", stages(sequenceParallel(zero(layout(2, 2, 2, 2))), 2, List.of()));
        Result b = train("tp2 dp2 pp2 zero-1 sp vpp2 again", stages(sequenceParallel(zero(layout(2, 2, 2, 2))), 2, List.of()));
        assertThat(b.losses()).isEqualTo(a.losses());
        assertThat(Files.readAllBytes(b.out().resolve("model/model.safetensors"))).isEqualTo(Files.readAllBytes(a.out().resolve("model/model.safetensors")));
    }

    @Test
    void rerunsAreBitwiseEqual() throws IOException {
        ParallelLayout l = layout(1, 2, 1, 2);
        Result a = train("dp2-a", l), b = train("dp2-b", l);
        assertThat(b.losses()).isEqualTo(a.losses());
        assertThat(Files.readAllBytes(b.out().resolve("model/model.safetensors"))).isEqualTo(Files.readAllBytes(a.out().resolve("model/model.safetensors")));
    }
}
