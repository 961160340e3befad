package wanka.bench.plan;

import jdk.incubator.vector.FloatVector;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.plan.Cluster;
import wanka.plan.CpuCalibration;
import wanka.plan.Layout;
import wanka.plan.LayerProfiles;
import wanka.plan.ModelSpec;
import wanka.plan.Plan;
import wanka.plan.Precision;
import wanka.plan.Recompute;
import wanka.plan.StepTime;
import wanka.plan.WankaMemory;
import wanka.plan.ZeroStage;
import wanka.train.AdamWOptimizer;
import wanka.train.TrainOptions;
import wanka.train.parallel.ParallelLayout;
import wanka.train.parallel.ParallelRun;
import wanka.train.parallel.StepLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static wanka.bench.parallel.ParallelBench.cpuModel;
import static wanka.bench.parallel.ParallelBench.isa;
import static wanka.bench.parallel.ParallelBench.load;
import static wanka.bench.parallel.ParallelBench.median;
import static wanka.bench.parallel.ParallelBench.writeShard;

/**
 * {@code wanka bench plan}: the DryRun's closed loop on this machine (issue 9). Calibrates the CPU with wanka's
 * kernels ({@code wanka plan calibrate} at one thread per rank), plans 8 layouts of a small preset with it (dp, tp,
 * pp, ZeRO-1, recompute none / selective / full; fp32, the ranks on one node), runs each in this process with one
 * thread per rank, and prints predicted vs measured step time (median and fastest of the steps after the first: the
 * calibration takes each kernel's fastest call, so the fastest step is its like on a shared machine) and peak
 * allocated bytes per rank (the most over ranks and steps), with the load average when each row was taken.
 *
 * <p>Options: {@code [--config tiny] [--seq 256] [--global-batch 8] [--steps 4] [--calibrate-seconds 0.3]}.
 */
public final class PlanBench {
    private PlanBench() {
    }

    record Row(String name, int tp, int dp, int pp, int micro, boolean zero, Recompute rc) {
    }

    public static void main(String[] args) throws Exception {
        String config = "tiny";
        int seq = 256, global = 8, steps = 4;
        double probe = 0.3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = args[++i];
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--global-batch" -> global = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--calibrate-seconds" -> probe = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: [--config tiny] [--seq 256] [--global-batch 8] [--steps 4] [--calibrate-seconds 0.3]");
            }
        }
        if (steps < 2) throw new IllegalArgumentException("--steps must be at least 2 (the first is warm-up)");
        TeleChat2Config c = Presets.get(config).withSeqLen(seq);
        ModelSpec m = ModelSpec.of(config, c);
        System.out.printf(Locale.ROOT, "# wanka bench plan: %s (%,d parameters), seq %d, global batch %d, %d steps (median of steps 2..%d), 1 thread per rank%n",
                config, c.parameterCount(), seq, global, steps, steps);
        System.out.printf(Locale.ROOT, "# CPU %s, %d cores; ISA %s; JVM vector width %d bits; %s; load %.2f%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                isa(), FloatVector.SPECIES_PREFERRED.vectorBitSize(), Runtime.version(), load());
        CpuCalibration.Measurement x = CpuCalibration.measure(1, probe);
        Cluster cpu = CpuCalibration.toCluster(x, "cpu-1t");
        System.out.printf(Locale.ROOT, "# calibrated (1 thread, %.1f s, load %.2f): %s%n", x.seconds(), load(), cpu.calibratedOn());
        Path work = Files.createTempDirectory("wanka-bench-plan");
        Path shardFile = writeShard(work, c.vocabSize());
        int g = global;
        List<Row> rows = List.of(
                new Row("1 rank", 1, 1, 1, g / 2, false, Recompute.NONE),
                new Row("1 rank, selective", 1, 1, 1, g / 2, false, Recompute.SELECTIVE),
                new Row("1 rank, full", 1, 1, 1, g / 2, false, Recompute.FULL),
                new Row("dp2", 1, 2, 1, g / 4, false, Recompute.NONE),
                new Row("dp2 ZeRO-1", 1, 2, 1, g / 4, true, Recompute.NONE),
                new Row("tp2", 2, 1, 1, g / 2, false, Recompute.NONE),
                new Row("tp2 full", 2, 1, 1, g / 2, false, Recompute.FULL),
                new Row("pp2 (4 micro-batches)", 1, 1, 2, g / 4, false, Recompute.NONE),
                new Row("pp2 selective", 1, 1, 2, g / 4, false, Recompute.SELECTIVE));
        try (var cleanup = (AutoCloseable) () -> deleteTree(work); TokenShard shard = TokenShard.open(shardFile)) {
            run(c, shard, work, new Row("warm-up", 1, 1, 1, g / 2, false, Recompute.NONE), 2, seq, g); // JIT, not counted
            System.out.println();
            System.out.printf(Locale.ROOT, "| layout | predicted step s | measured step s, median (fastest) | error vs median (vs fastest) | predicted peak MB | measured peak MB (max over ranks) | error | load |%n");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (Row r : rows) {
                Layout lay = new Layout(r.dp(), r.tp(), r.pp(), 1, r.micro(), g, seq, r.zero() ? ZeroStage.ZERO_1 : ZeroStage.ZERO_0, false, 1, r.rc(), true, Precision.FP32);
                Cluster here = cpu.withDevicesPerNode(lay.worldSize());
                Plan p = Plan.of(m, LayerProfiles.of(m), here, lay);
                Map<Integer, List<StepLog>> logs = run(c, shard, work, r, steps, seq, g);
                double measured = median(logs.get(0).stream().skip(1).mapToDouble(StepLog::stepMs).toArray()) / 1e3;
                double fastest = logs.get(0).stream().skip(1).mapToDouble(StepLog::stepMs).min().orElseThrow() / 1e3;
                long peak = 0;
                double worst = 0, predictedPeak = 0;
                for (var e : logs.entrySet()) {
                    long mine = e.getValue().stream().mapToLong(StepLog::peakBytes).max().orElseThrow();
                    double pred = WankaMemory.rank(m, here, lay, WankaMemory.plan(r.rc()), e.getKey() / (r.tp() * r.dp())).total();
                    if (Math.abs(pred / mine - 1) >= Math.abs(worst)) worst = pred / mine - 1;
                    if (mine > peak) {
                        peak = mine;
                        predictedPeak = pred;
                    }
                }
                StepTime t = p.time();
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f (%.3f) | %+.1f %% (%+.1f %%) | %.1f | %.1f | %+.2f %% (worst rank %+.2f %%) | %.2f |%n", r.name(), t.total(), measured,
                        fastest, 100 * (t.total() / measured - 1), 100 * (t.total() / fastest - 1), predictedPeak / 1e6, peak / 1e6, 100 * (predictedPeak / peak - 1),
                        100 * worst, load());
            }
        }
    }

    /** Removes the bench's scratch directory (shard, run directories, saved models). */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static Map<Integer, List<StepLog>> run(TeleChat2Config c, TokenShard shard, Path work, Row r, int steps, int seq, int global) throws Exception {
        ParallelLayout layout = new ParallelLayout(r.tp(), r.dp(), r.pp(), 1, r.micro(), global, r.zero(), false, ParallelLayout.DEFAULT_BUCKET_ELEMENTS, List.of(), 1,
                WankaMemory.plan(r.rc()));
        TrainOptions opts = new TrainOptions(r.micro() * r.dp(), seq, steps, layout.microBatches(), 3e-4, 3e-5, 0, "cosine", 1.0,
                AdamWOptimizer.Settings.telechat(), 1234, 1, 0, work.resolve("run-" + System.nanoTime()));
        PackedBatches data = new PackedBatches(List.of(shard), r.micro() * r.dp(), seq, 1234);
        var job = new ParallelRun.Job(layout, opts, d -> TeleChat2.initialize(c, d, 1234), data, 1);
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(600))) {
            return ParallelRun.run(world, job, s -> { });
        }
    }
}
