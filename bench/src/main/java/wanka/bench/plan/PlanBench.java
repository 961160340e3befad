package wanka.bench.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.incubator.vector.FloatVector;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.inproc.InProcessWorld;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.OpTimes;
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

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * kernels ({@code wanka plan calibrate --ranks N --threads 1} for each rank count N of the layouts: a rank's rates
 * while N ranks run at once, and the in-process all-reduce as the link), plans 9 layouts of a small preset with it (dp, tp,
 * pp, ZeRO-1, recompute none / selective / full; fp32, the ranks on one node), runs each in this process with one
 * thread per rank, and prints predicted vs measured step time (the median of the measured steps of rank 0, after
 * warm-up steps that are not counted) and peak allocated bytes per rank (the most over ranks and steps), the
 * 15 % / 5 % verdicts, and the load average when each row was taken; then one JSON line per layout with every
 * measured step's time, the garbage collections that fell inside the measured steps and the load.
 *
 * <p>A sound measurement needs a heap that does not grow while steps are timed: growing the heap of a JVM started
 * with a small initial heap costs young collections of 0.5–1.2 s (the survivors are copied into pages the kernel
 * has not mapped yet), which made one-rank steps swing 3×. So unless this JVM's heap is already fixed and touched
 * ({@code -Xms} equal to {@code -Xmx} and {@code -XX:+AlwaysPreTouch}), the bench runs itself in a child JVM that
 * is ({@link #HEAP}); {@code --in-this-jvm} skips that.
 *
 * <p>Options: {@code [--config tiny] [--seq 256] [--global-batch 8] [--warmup 3] [--steps 8] [--layouts all|NAME,…|N,…]
 * [--calibrate-seconds 0.3] [--breakdown] [--in-this-jvm]}. {@code --breakdown}
 * times every op of the measured steps ({@link OpTimes}) and prints, per layout, the measured time of each op class beside
 * the time model's ({@link Breakdown}).
 */
public final class PlanBench {
    /** The child JVM's fixed, pre-touched heap. */
    static final String HEAP = "6g";
    public static final String OPTIONS = "[--config tiny] [--seq 256] [--global-batch 8] [--warmup 3] [--steps 8] [--layouts all|NAME,...|N,...] [--calibrate-seconds 0.3] [--breakdown] [--in-this-jvm]";
    /** Step-time and peak-memory bounds of issue 9. */
    static final double TIME_BOUND = 0.15, MEMORY_BOUND = 0.05;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlanBench() {
    }

    record Row(String name, int tp, int dp, int pp, int micro, boolean zero, Recompute rc) {
    }

    /** The bench's settings. {@code steps} counts the measured steps only. */
    record Settings(String config, int seq, int global, int warmup, int steps, String layouts, double probe, boolean breakdown, boolean inThisJvm) {
        static Settings parse(String[] args) {
            String config = "tiny", layouts = "all";
            int seq = 256, global = 8, warmup = 3, steps = 8;
            double probe = 0.3;
            boolean here = false, breakdown = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config" -> config = value(args, ++i);
                    case "--seq" -> seq = Integer.parseInt(value(args, ++i));
                    case "--global-batch" -> global = Integer.parseInt(value(args, ++i));
                    case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
                    case "--steps" -> steps = Integer.parseInt(value(args, ++i));
                    case "--layouts" -> layouts = value(args, ++i);
                    case "--calibrate-seconds" -> probe = Double.parseDouble(value(args, ++i));
                    case "--in-this-jvm" -> here = true;
                    case "--breakdown" -> breakdown = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + OPTIONS);
                }
            }
            if (warmup < 1) throw new IllegalArgumentException("--warmup must be at least 1 (the first step builds buffers and compiles), got " + warmup);
            if (steps < 1) throw new IllegalArgumentException("--steps (measured steps) must be at least 1, got " + steps);
            if (global % 4 != 0) throw new IllegalArgumentException("--global-batch must be a multiple of 4 (dp2 and pp2 split it in 4 micro-batches), got " + global);
            return new Settings(config, seq, global, warmup, steps, layouts, probe, breakdown, here);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value; options: " + OPTIONS);
            return args[i];
        }
    }

    /** What one layout measured: rank 0's measured step times, peaks per rank, GC inside the measured steps. */
    record Measured(double[] stepSeconds, Map<Integer, Long> peakBytes, long gcCount, double gcSeconds, Map<Integer, RankOps> ops) {
        double median() {
            return wanka.bench.parallel.ParallelBench.median(stepSeconds);
        }

        double fastest() {
            double m = Double.POSITIVE_INFINITY;
            for (double s : stepSeconds) m = Math.min(m, s);
            return m;
        }
    }

    /**
     * What one rank's op timer saw over the measured steps (--breakdown): per op key the calls and nanoseconds, the
     * bytes its device allocated, and the exposed communication and pipeline waits of its step logs; all summed over
     * {@code steps} steps.
     */
    record RankOps(Map<String, OpTimes.Entry> ops, long allocatedBytes, double exposedCommSeconds, double bubbleSeconds, double stepSeconds, int steps) {
    }

    /** The 9 layouts of the bench, for a global batch of {@code g}. */
    static List<Row> rows(int g) {
        return List.of(
                new Row("1 rank", 1, 1, 1, g / 2, false, Recompute.NONE),
                new Row("1 rank, selective", 1, 1, 1, g / 2, false, Recompute.SELECTIVE),
                new Row("1 rank, full", 1, 1, 1, g / 2, false, Recompute.FULL),
                new Row("dp2", 1, 2, 1, g / 4, false, Recompute.NONE),
                new Row("dp2 ZeRO-1", 1, 2, 1, g / 4, true, Recompute.NONE),
                new Row("tp2", 2, 1, 1, g / 2, false, Recompute.NONE),
                new Row("tp2 full", 2, 1, 1, g / 2, false, Recompute.FULL),
                new Row("pp2 (4 micro-batches)", 1, 1, 2, g / 4, false, Recompute.NONE),
                new Row("pp2 selective", 1, 1, 2, g / 4, false, Recompute.SELECTIVE));
    }

    /** The rows {@code --layouts} names: "all", or names / 1-based numbers separated by commas. */
    static List<Row> select(List<Row> all, String which) {
        if (which.equals("all")) return all;
        List<Row> out = new ArrayList<>();
        for (String w : which.split(",")) {
            String k = w.strip();
            Row r = k.matches("\\d+") && Integer.parseInt(k) >= 1 && Integer.parseInt(k) <= all.size() ? all.get(Integer.parseInt(k) - 1)
                    : all.stream().filter(x -> x.name().equalsIgnoreCase(k)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "unknown layout '" + k + "' in --layouts; known (by name or number 1.." + all.size() + "): " + all.stream().map(Row::name).toList()));
            out.add(r);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        if (!s.inThisJvm() && !heapFixed()) {
            System.exit(inChildJvm(args));
            return;
        }
        TeleChat2Config c = Presets.get(s.config()).withSeqLen(s.seq());
        ModelSpec m = ModelSpec.of(s.config(), c);
        List<Row> rows = select(rows(s.global()), s.layouts());
        System.out.printf(Locale.ROOT, "# wanka bench plan: %s (%,d parameters), seq %d, global batch %d; per layout %d warm-up + %d measured steps (median of the measured steps of rank 0), 1 thread per rank%n",
                s.config(), c.parameterCount(), s.seq(), s.global(), s.warmup(), s.steps());
        System.out.printf(Locale.ROOT, "# CPU %s, %d cores; ISA %s; JVM vector width %d bits; %s; heap %s (fixed: %s); load %.2f%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                isa(), FloatVector.SPECIES_PREFERRED.vectorBitSize(), Runtime.version(), mb(Runtime.getRuntime().maxMemory()), heapFixed(), load());
        // One profile per rank count: a rank's rates while that many ranks run at once (wanka plan calibrate --ranks N --threads 1)
        Map<Integer, Cluster> profiles = new LinkedHashMap<>();
        for (int ranks : rows.stream().mapToInt(r -> r.tp() * r.dp() * r.pp()).distinct().sorted().toArray()) {
            CpuCalibration.Measurement x = CpuCalibration.measure(ranks, 1, s.probe());
            Cluster cpu = CpuCalibration.toCluster(x, "cpu-" + ranks + "x1t");
            profiles.put(ranks, cpu);
            System.out.printf(Locale.ROOT, "# calibrated (%d rank%s of 1 thread, %.1f s, load %.2f): %s%n", ranks, ranks > 1 ? "s at once" : "", x.seconds(), load(), cpu.calibratedOn());
        }
        Path work = Files.createTempDirectory("wanka-bench-plan");
        Path shardFile = writeShard(work, c.vocabSize());
        int g = s.global();
        List<String> json = new ArrayList<>(), breakdowns = new ArrayList<>();
        int timeOk = 0, memOk = 0;
        try (var cleanup = (AutoCloseable) () -> deleteTree(work); TokenShard shard = TokenShard.open(shardFile)) {
            // JIT warm-up over the code paths of every kind of layout (one rank, data, tensor and pipeline parallel); not counted
            for (Row r : List.of(rows(g).get(0), rows(g).get(3), rows(g).get(5), rows(g).get(7))) run(c, shard, work, r, 0, 2, s.seq(), g);
            System.out.println();
            System.out.printf(Locale.ROOT, "| layout | predicted step s | measured step s, median (fastest) | error vs median | within 15 %% | predicted peak MB | measured peak MB (max over ranks) | error (worst rank) | within 5 %% | GCs in measured steps | load |%n");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (Row r : rows) {
                Layout lay = new Layout(r.dp(), r.tp(), r.pp(), 1, r.micro(), g, s.seq(), r.zero() ? ZeroStage.ZERO_1 : ZeroStage.ZERO_0, false, 1, r.rc(), true, Precision.FP32);
                Cluster here = profiles.get(lay.worldSize()).withDevicesPerNode(lay.worldSize());
                Plan p = Plan.of(m, LayerProfiles.of(m), here, lay);
                System.gc(); // the previous layout's garbage is not this one's to collect
                Measured meas = run(c, shard, work, r, s.warmup(), s.steps(), s.seq(), g, s.breakdown());
                long peak = 0;
                double worst = 0, predictedPeak = 0;
                Map<Integer, double[]> perRank = new LinkedHashMap<>();
                for (var e : meas.peakBytes().entrySet()) {
                    long mine = e.getValue();
                    double pred = WankaMemory.rank(m, here, lay, WankaMemory.plan(r.rc()), e.getKey() / (r.tp() * r.dp())).total();
                    perRank.put(e.getKey(), new double[]{pred, mine});
                    if (Math.abs(pred / mine - 1) >= Math.abs(worst)) worst = pred / mine - 1;
                    if (mine > peak) {
                        peak = mine;
                        predictedPeak = pred;
                    }
                }
                StepTime t = p.time();
                double err = t.total() / meas.median() - 1;
                boolean timeIn = Math.abs(err) <= TIME_BOUND, memIn = Math.abs(worst) <= MEMORY_BOUND;
                timeOk += timeIn ? 1 : 0;
                memOk += memIn ? 1 : 0;
                double ld = load();
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f (%.3f) | %+.1f %% | %s | %.1f | %.1f | %+.2f %% (%+.2f %%) | %s | %d (%.0f ms) | %.2f |%n", r.name(), t.total(), meas.median(),
                        meas.fastest(), 100 * err, timeIn ? "yes" : "no", predictedPeak / 1e6, peak / 1e6, 100 * (predictedPeak / peak - 1), 100 * worst, memIn ? "yes" : "no",
                        meas.gcCount(), 1e3 * meas.gcSeconds(), ld);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("layout", r.name());
                line.put("predicted_step_s", t.total());
                line.put("measured_step_s", meas.stepSeconds());
                line.put("median_step_s", meas.median());
                line.put("step_error", err);
                line.put("predicted_peak_bytes_by_rank", perRank.entrySet().stream().collect(LinkedHashMap::new, (mm, e) -> mm.put(e.getKey(), (long) e.getValue()[0]), Map::putAll));
                line.put("measured_peak_bytes_by_rank", meas.peakBytes());
                line.put("gc_in_measured_steps", meas.gcCount());
                line.put("gc_ms_in_measured_steps", 1e3 * meas.gcSeconds());
                line.put("warmup_steps", s.warmup());
                line.put("load", ld);
                json.add(JSON.writeValueAsString(line));
                if (s.breakdown()) breakdowns.add(Breakdown.table(r.name(), m, here, lay, meas.ops()));
            }
        }
        System.out.printf(Locale.ROOT, "%nstep time within 15 %%: %d of %d layouts (issue 9 asks for at least 8 of its 8+); peak memory within 5 %% on every rank: %d of %d%n%n",
                timeOk, rows.size(), memOk, rows.size());
        breakdowns.forEach(System.out::println);
        json.forEach(System.out::println);
    }

    /** Whether this JVM's heap is fixed ({@code -Xms} = {@code -Xmx}) and touched up front. */
    static boolean heapFixed() {
        List<String> a = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return a.contains("-XX:+AlwaysPreTouch") && Runtime.getRuntime().totalMemory() >= Runtime.getRuntime().maxMemory() * 0.95;
    }

    /** Runs the bench in a child JVM with a fixed, pre-touched heap of {@link #HEAP}; returns its exit status. */
    static int inChildJvm(String[] args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"));
        // e.g. -Xlog:gc from WANKA_JAVA_OPTS, but not the heap size, nor a flight recording (both JVMs would write the same
        // file; to profile, give this JVM a fixed heap: -Xms6g -Xmx6g -XX:+AlwaysPreTouch, and it measures itself)
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xm") && !a.startsWith("--add-modules") && !a.startsWith("--enable-native-access") && !a.equals("-XX:+UseParallelGC")
                    && !a.startsWith("-XX:StartFlightRecording")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xms" + HEAP, "-Xmx" + HEAP, "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), PlanBench.class.getName()));
        cmd.addAll(List.of(args));
        cmd.add("--in-this-jvm");
        System.err.println("wanka bench plan: measuring in a JVM with a fixed, pre-touched " + HEAP + " heap (so the heap does not grow inside timed steps)");
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        try {
            return p.waitFor();
        } finally {
            p.destroy();
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    /** Removes the bench's scratch directory (shard, run directories, saved models). */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static long[] gc() {
        long n = 0, ms = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[]{n, ms};
    }

    /** Runs {@code warmup + steps} steps of {@code r}; measures the last {@code steps}. */
    static Measured run(TeleChat2Config c, TokenShard shard, Path work, Row r, int warmup, int steps, int seq, int global) throws Exception {
        return run(c, shard, work, r, warmup, steps, seq, global, false);
    }

    /** {@link #run}; with {@code timeOps}, every rank's device times its ops over the measured steps ({@link Measured#ops}). */
    static Measured run(TeleChat2Config c, TokenShard shard, Path work, Row r, int warmup, int steps, int seq, int global, boolean timeOps) throws Exception {
        ParallelLayout layout = new ParallelLayout(r.tp(), r.dp(), r.pp(), 1, r.micro(), global, r.zero(), false, ParallelLayout.DEFAULT_BUCKET_ELEMENTS, List.of(), 1,
                WankaMemory.plan(r.rc()));
        TrainOptions opts = new TrainOptions(r.micro() * r.dp(), seq, warmup + steps, layout.microBatches(), 3e-4, 3e-5, 0, "cosine", 1.0,
                AdamWOptimizer.Settings.telechat(), 1234, 1, 0, work.resolve("run-" + System.nanoTime()));
        PackedBatches data = new PackedBatches(List.of(shard), r.micro() * r.dp(), seq, 1234);
        // Each rank builds its model and runs its steps on its own thread: the thread finds the rank's device and timer.
        Map<Thread, CpuDevice> devices = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, long[]> allocAt = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, OpTimes> timers = new java.util.concurrent.ConcurrentHashMap<>();
        var job = new ParallelRun.Job(layout, opts, d -> {
            devices.put(Thread.currentThread(), d);
            return TeleChat2.initialize(c, d, 1234);
        }, data, 1);
        long[][] gcAt = new long[2][];
        Map<Integer, List<StepLog>> logs;
        try (var world = InProcessWorld.create(layout.worldSize(), Duration.ofSeconds(600))) {
            logs = ParallelRun.run(world, job, st -> { // rank 0 after the last warm-up step and after the last step
                if (st.rank() == 0 && st.step() == warmup) gcAt[0] = gc();
                if (st.rank() == 0 && st.step() == warmup + steps) gcAt[1] = gc();
                if (timeOps && st.step() == warmup) { // from here on this rank's ops are timed
                    CpuDevice d = devices.get(Thread.currentThread());
                    OpTimes t = new OpTimes();
                    d.timeOps(t);
                    timers.put(st.rank(), t);
                    allocAt.put(st.rank(), new long[]{d.memory().allocatedBytes(), 0});
                }
                if (timeOps && st.step() == warmup + steps) {
                    CpuDevice d = devices.get(Thread.currentThread());
                    d.timeOps(null);
                    allocAt.get(st.rank())[1] = d.memory().allocatedBytes();
                }
            });
        }
        double[] times = logs.get(0).stream().skip(warmup).mapToDouble(l -> l.stepMs() / 1e3).toArray();
        Map<Integer, Long> peaks = new LinkedHashMap<>();
        for (var e : new java.util.TreeMap<>(logs).entrySet()) peaks.put(e.getKey(), e.getValue().stream().mapToLong(StepLog::peakBytes).max().orElseThrow());
        long n = gcAt[0] == null ? 0 : gcAt[1][0] - gcAt[0][0];
        double sec = gcAt[0] == null ? 0 : (gcAt[1][1] - gcAt[0][1]) / 1e3;
        Map<Integer, RankOps> ops = new java.util.TreeMap<>();
        for (var e : timers.entrySet()) {
            List<StepLog> measured = logs.get(e.getKey()).stream().skip(warmup).toList();
            long[] al = allocAt.get(e.getKey());
            ops.put(e.getKey(), new RankOps(e.getValue().snapshot(), al[1] - al[0], measured.stream().mapToDouble(l -> l.exposedCommMs() / 1e3).sum(),
                    measured.stream().mapToDouble(l -> l.bubbleMs() / 1e3).sum(), measured.stream().mapToDouble(l -> l.stepMs() / 1e3).sum(), measured.size()));
        }
        return new Measured(times, peaks, n, sec, ops);
    }
}
