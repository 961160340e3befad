package wanka.bench.parallel;

import jdk.incubator.vector.FloatVector;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;
import wanka.dist.ProcessGroup;
import wanka.dist.Span;
import wanka.dist.World;
import wanka.dist.inproc.InProcessWorld;
import wanka.dist.launch.Launch;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.train.AdamWOptimizer;
import wanka.train.TrainOptions;
import wanka.train.parallel.ParallelLayout;
import wanka.train.parallel.ParallelRun;
import wanka.train.parallel.StepLog;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code wanka bench parallel}: parallel pre-training on this machine's cores (issue 8). For each layout of two
 * ranks (dp2, tp2, pp2, in-process, one thread per rank) against one process with two threads: tokens/s from the
 * median step, bytes per step of each collective against parallel-formulas §2.6, and the exposed communication
 * that bucketed overlapped gradient reduction and multi-replica remove. Under Open MPI it also runs dp2 as two
 * processes × one thread (the target: ≥ 0.85× the tokens/s of one process × two threads) and compares the
 * backend's all-reduce with a C {@code MPI_Allreduce} loop ({@code scripts/peers/allreduce.c}, built with mpicc)
 * in the same run. Each figure is printed with the load average when it was taken. The in-process layouts run
 * after JIT warm-up runs in the same JVM; the mpirun ranks, fresh JVMs, first run two steps of their own that are
 * not counted.
 *
 * <p>Options: {@code [--config small] [--steps 4] [--seq 512] [--batch 4] [--allreduce-floats 4194304] [--skip-mpi]
 * [--target-only]} ({@code --target-only}: only the two rows of the target, 1 process × 2 threads and dp2 under mpirun).
 */
public final class ParallelBench {
    record Settings(String config, int steps, int seq, int batch, long allReduceFloats, boolean mpi, boolean targetOnly) {
        Settings(String config, int steps, int seq, int batch, long allReduceFloats, boolean mpi) {
            this(config, steps, seq, batch, allReduceFloats, mpi, false);
        }
    }

    /** One measured layout: median step and communication over the second half of rank 0's steps. */
    record Measured(String name, double stepMs, double tokensPerSecond, double exposedMs, double overlappedMs, Map<String, Long> bytes, double load) {
    }

    private ParallelBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--mpi-worker")) {
            mpiWorker(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("--layout-worker")) {
            layoutWorker(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 3 && args[0].equals("--write-shard")) {
            writeShard(Path.of(args[1]), Presets.get(args[2]).vocabSize()); // DIR/bench.tokens
            return;
        }
        Settings s = parse(args);
        TeleChat2Config c = Presets.get(s.config());
        Path work = Files.createTempDirectory("wanka-bench-parallel");
        Path shard = writeShard(work, c.vocabSize());
        System.out.printf(Locale.ROOT, "# wanka bench parallel: %s (%,d parameters), batch %d x seq %d per step, %d steps (medians of the second half)%n",
                s.config(), c.parameterCount(), s.batch(), s.seq(), s.steps());
        System.out.printf(Locale.ROOT, "# CPU %s, %d cores; ISA %s; JVM vector width %d bits; %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                isa(), FloatVector.SPECIES_PREFERRED.vectorBitSize(), Runtime.version());
        int b = s.batch();
        ParallelLayout single = layout(1, 1, 1, b, b);
        inProcess("JIT warm-up (not counted)", single, 2, new Settings(s.config(), 2, s.seq(), s.batch(), s.allReduceFloats(), false), c, shard, work);
        if (!s.targetOnly()) inProcess("JIT warm-up tp2 (not counted)", layout(2, 1, 1, b, b).withReplicas(2), 1, new Settings(s.config(), 2, s.seq(), s.batch(), s.allReduceFloats(), false), c, shard, work);
        Measured one = inProcess("1 process x 2 threads", single, 2, s, c, shard, work);
        List<Measured> rows = new ArrayList<>(List.of(one));
        if (!s.targetOnly()) addInProcessRows(rows, s, c, shard, work);
        Measured mpiDp2 = null;
        if (s.mpi()) {
            mpiDp2 = mpi(s, shard, work);
            if (mpiDp2 != null) rows.add(mpiDp2);
        }
        System.out.println();
        System.out.println("| layout | step ms (median) | tokens/s | vs 1 process | exposed comm ms | overlapped comm ms | bytes per step (rank 0) | load |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Measured m : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2fx | %.1f | %.1f | %s | %.2f |%n", m.name(), m.stepMs(), m.tokensPerSecond(),
                    m.tokensPerSecond() / one.tokensPerSecond(), m.exposedMs(), m.overlappedMs(), m.bytes(), m.load());
        }
        System.out.println();
        formulas(c, s, rows);
        if (mpiDp2 != null) {
            double ratio = mpiDp2.tokensPerSecond() / one.tokensPerSecond();
            System.out.printf(Locale.ROOT, "target: dp2 as 2 processes x 1 thread = %.2fx the tokens/s of 1 process x 2 threads (target >= 0.85): %s%n",
                    ratio, ratio >= 0.85 ? "met" : "NOT met");
        }
    }

    /** The in-process layouts of two ranks, one thread each. */
    static void addInProcessRows(List<Measured> rows, Settings s, TeleChat2Config c, Path shard, Path work) throws IOException {
        int b = s.batch();
        rows.add(inProcess("dp2 (in-process)", layout(1, 2, 1, b / 2, b), 1, s, c, shard, work));
        rows.add(inProcess("tp2 (in-process)", layout(2, 1, 1, b, b), 1, s, c, shard, work));
        rows.add(inProcess("tp2 replicas 2 (in-process)", layout(2, 1, 1, b, b).withReplicas(2), 1, s, c, shard, work));
        rows.add(inProcess("pp2 1F1B (in-process)", layout(1, 1, 2, 1, b), 1, s, c, shard, work));
        rows.add(inProcess("dp2 one bucket (in-process)", layout(1, 2, 1, b / 2, b).withBucketElements(Long.MAX_VALUE / 4), 1, s, c, shard, work));
        rows.add(inProcess("dp2 buckets of 2M (in-process)", layout(1, 2, 1, b / 2, b).withBucketElements(2_000_000), 1, s, c, shard, work));
    }

    static ParallelLayout layout(int tp, int dp, int pp, int micro, int global) {
        return new ParallelLayout(tp, dp, pp, 1, micro, global, false, false, ParallelLayout.DEFAULT_BUCKET_ELEMENTS, List.of());
    }

    /** Bytes of rank 0's last step against parallel-formulas §2.6. */
    static void formulas(TeleChat2Config c, Settings s, List<Measured> rows) {
        long bsh = (long) s.batch() * s.seq() * c.hiddenSize();
        for (Measured m : rows) {
            if (m.name().startsWith("tp2")) {
                long layers = 4L * 4 * bsh * c.numLayers(); // 2 all-reduces of b·s·h forward and 2 backward per layer, FP32
                long extra = 4L * (2 * bsh + 3L * s.batch() * s.seq()) + 8; // vocab-parallel embedding, LM-head input, loss max/sums, norm
                System.out.printf(Locale.ROOT, "%s: all_reduce/tp %,d bytes = §2.6 layers %,d + embedding/head/loss %,d: %s%n", m.name(),
                        m.bytes().get("all_reduce/tp"), layers, extra, m.bytes().get("all_reduce/tp") == layers + extra ? "equal" : "DIFFERENT");
            } else if (m.name().startsWith("pp2")) {
                long micro = s.batch();
                long expect = 4L * micro * (bsh / s.batch()); // rank 0 sends b·s·h forward per micro-batch (micro-batch 1)
                System.out.printf(Locale.ROOT, "%s: send/pp (rank 0) %,d bytes = §2.6 b·s·h per micro-batch %,d: %s%n", m.name(),
                        m.bytes().get("send/pp"), expect, m.bytes().get("send/pp") == expect ? "equal" : "DIFFERENT");
            } else if (m.name().startsWith("dp2")) {
                long psi = 4L * c.parameterCount();
                long got = m.bytes().getOrDefault("all_reduce/dp", 0L);
                System.out.printf(Locale.ROOT, "%s: all_reduce/dp %,d bytes = §2.6 gradient buffer 4·Ψ %,d + the step's loss (8): %s%n", m.name(), got, psi,
                        got == psi + 8 ? "equal" : "DIFFERENT by " + (got - psi - 8) + " bytes");
            }
        }
    }

    static Measured inProcess(String name, ParallelLayout layout, int threads, Settings s, TeleChat2Config c, Path shard, Path work) throws IOException {
        double load = load();
        try (TokenShard t = TokenShard.open(shard); var world = InProcessWorld.create(layout.worldSize(), Duration.ofMinutes(10))) {
            var job = job(layout, s, c, t, work.resolve(name.replaceAll("[^a-z0-9]", "-")), threads);
            Map<Integer, List<StepLog>> logs = ParallelRun.run(world, job, x -> { });
            Measured m = measured(name, logs.get(0), layout, s, Math.max(load, load()));
            System.out.printf(Locale.ROOT, "%s: %.0f ms/step, %.0f tokens/s, exposed comm %.1f ms, overlapped %.1f ms (load %.2f)%n",
                    name, m.stepMs(), m.tokensPerSecond(), m.exposedMs(), m.overlappedMs(), m.load());
            return m;
        }
    }

    static ParallelRun.Job job(ParallelLayout layout, Settings s, TeleChat2Config c, TokenShard t, Path out, int threads) {
        TrainOptions o = new TrainOptions(layout.microBatch() * layout.dp(), s.seq(), s.steps(), layout.microBatches(), 3e-4, 3e-5, 0, "cosine", 1.0,
                AdamWOptimizer.Settings.telechat(), 1, 1, 0, out);
        return new ParallelRun.Job(layout, o, d -> TeleChat2.initialize(c, d, 1), new PackedBatches(List.of(t), layout.microBatch() * layout.dp(), s.seq(), 1), threads);
    }

    static Measured measured(String name, List<StepLog> logs, ParallelLayout layout, Settings s, double load) {
        List<StepLog> timed = logs.subList(logs.size() / 2, logs.size()); // the second half: JIT-compiled, caches warm
        double step = median(timed.stream().mapToDouble(StepLog::stepMs).toArray());
        return new Measured(name, step, (double) layout.globalBatch() * s.seq() / (step / 1e3), median(timed.stream().mapToDouble(StepLog::exposedCommMs).toArray()),
                median(timed.stream().mapToDouble(StepLog::overlappedCommMs).toArray()), logs.getLast().bytes(), load);
    }

    /** dp2 as two processes under mpirun, and the all-reduce bandwidth of the backend vs the C loop; null without Open MPI. */
    static Measured mpi(Settings s, Path shard, Path work) throws Exception {
        String cp = System.getProperty("java.class.path");
        Launch.Plan plan = Launch.plan(2, cp, List.of(ParallelBench.class.getName(), "--mpi-worker", s.config(), "" + s.steps(), "" + s.seq(), "" + s.batch(),
                "" + s.allReduceFloats(), shard.toString(), work.resolve("mpi").toString()));
        if (!plan.mpi()) {
            System.out.println("mpi: skipped: " + plan.note());
            return null;
        }
        List<String> cmd = new ArrayList<>(plan.command());
        cmd.addAll(1, List.of("--oversubscribe", "--bind-to", "none"));
        double load = load();
        String out = run(cmd, plan.environment());
        System.out.print(out.lines().filter(l -> l.startsWith("mpi ")).map(l -> l + "\n").reduce("", String::concat));
        String line = out.lines().filter(l -> l.startsWith("mpi dp2 ")).findFirst().orElseThrow(() -> new IllegalStateException("no result from the MPI run:\n" + out));
        double step = Double.parseDouble(field(line, "step_ms")), exposed = Double.parseDouble(field(line, "exposed_ms")), overlapped = Double.parseDouble(field(line, "overlapped_ms"));
        long bytes = Long.parseLong(field(line, "dp_bytes"));
        Path peer = peer(work);
        if (peer != null) {
            List<String> c = new ArrayList<>(List.of("mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none"));
            if ("root".equals(System.getProperty("user.name"))) c.add("--allow-run-as-root");
            c.addAll(List.of(peer.toString(), "" + s.allReduceFloats(), "10"));
            System.out.print(run(c, plan.environment()).lines().filter(l -> l.startsWith("c_allreduce")).map(l -> "peer " + l + String.format(Locale.ROOT, " (load %.2f)%n", load())).reduce("", String::concat));
        }
        return new Measured("dp2 (mpirun, 2 processes x 1 thread)", step, (double) s.batch() * s.seq() / (step / 1e3), exposed, overlapped,
                Map.of("all_reduce/dp", bytes), Math.max(load, load()));
    }

    /** scripts/peers/allreduce.c built with mpicc into {@code work}; null (saying why) when it cannot be. */
    static Path peer(Path work) throws Exception {
        Path src = null;
        for (Path p = Path.of(System.getProperty("wanka.home", "")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/peers/allreduce.c"))) {
                src = p.resolve("scripts/peers/allreduce.c");
                break;
            }
        }
        if (src == null) {
            System.out.println("peer: scripts/peers/allreduce.c not found (run from the repository); no C figure");
            return null;
        }
        Path exe = work.resolve("allreduce");
        Process p = new ProcessBuilder("mpicc", "-O2", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.out.println("peer: mpicc failed: " + msg);
            return null;
        }
        return exe;
    }

    /** One rank of the MPI run: dp2 training, then timed all-reduces of the backend. */
    static void mpiWorker(String[] a) throws Exception {
        Settings s = new Settings(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]), true);
        TeleChat2Config c = Presets.get(s.config());
        ParallelLayout layout = layout(1, 2, 1, s.batch() / 2, s.batch());
        try (World world = World.fromEnvironment(Duration.ofMinutes(10)); TokenShard t = TokenShard.open(Path.of(a[5]))) {
            // JIT warm-up (not counted), as the in-process rows have theirs
            ParallelRun.run(world, job(layout, new Settings(s.config(), 2, s.seq(), s.batch(), 0, true), c, t, Path.of(a[6]).resolve("warm-up"), 1), x -> { });
            Map<Integer, List<StepLog>> logs = ParallelRun.run(world, job(layout, s, c, t, Path.of(a[6]), 1), x -> { });
            List<StepLog> mine = logs.values().iterator().next();
            ProcessGroup g = world.groups().getFirst();
            Measured m = measured("mpi", mine, layout, s, 0);
            int n = (int) s.allReduceFloats(), reps = 10;
            double ms;
            try (Arena arena = Arena.ofShared()) { // the MPI thread reads it
                MemorySegment buf = arena.allocate(4L * n, 64);
                g.allReduce(Span.floats(buf));
                g.barrier();
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) g.allReduce(Span.floats(buf));
                ms = (System.nanoTime() - t0) / 1e6 / reps;
            }
            if (g.rank() == 0) {
                System.out.printf(Locale.ROOT, "mpi dp2 step_ms=%.1f exposed_ms=%.1f overlapped_ms=%.1f dp_bytes=%d%n", m.stepMs(), m.exposedMs(), m.overlappedMs(),
                        mine.getLast().bytes().getOrDefault("all_reduce/dp", 0L));
                System.out.printf(Locale.ROOT, "mpi wanka_allreduce floats=%d reps=%d ms_per_call=%.3f algbw_GBps=%.3f (load %.2f)%n", n, reps, ms, 4.0 * n / (ms * 1e6), load());
            }
        }
    }

    /**
     * One rank of several layouts of two ranks under mpirun, for {@code scripts/parallel-wire-bench.sh} (ranks in
     * network namespaces over shaped veths): {@code config steps seq batch shard outDir rounds NAME:tp:dp:bucketElements:replicas…}.
     * Every layout first runs 2 steps to warm the JIT up (not counted); then {@code rounds} rounds run each layout in
     * turn for {@code steps} steps, so the layouts see the same load. Every rank prints each counted step's time split
     * into compute, exposed and overlapped communication, and per layout the medians over the second half of each run's steps.
     */
    static void layoutWorker(String[] a) throws Exception {
        Settings s = new Settings(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), 0, true);
        Path shard = Path.of(a[4]), out = Path.of(a[5]);
        int rounds = Integer.parseInt(a[6]);
        record Spec(String name, ParallelLayout layout) {
        }
        List<Spec> specs = new ArrayList<>();
        for (String spec : Arrays.copyOfRange(a, 7, a.length)) {
            String[] f = spec.split(":");
            int tp = Integer.parseInt(f[1]), dp = Integer.parseInt(f[2]);
            specs.add(new Spec(f[0].replace('_', ' '), layout(tp, dp, 1, s.batch() / dp, s.batch()).withBucketElements(Long.parseLong(f[3])).withReplicas(Integer.parseInt(f[4]))));
        }
        TeleChat2Config c = Presets.get(s.config());
        Settings warm = new Settings(s.config(), 2, s.seq(), s.batch(), 0, true);
        Map<String, List<StepLog>> timed = new java.util.LinkedHashMap<>();
        try (World world = World.fromEnvironment(Duration.ofMinutes(10)); TokenShard t = TokenShard.open(shard)) {
            int run = 0;
            for (int round = -1; round < rounds; round++) {
                for (Spec spec : specs) {
                    Settings settings = round < 0 ? warm : s;
                    Map<Integer, List<StepLog>> logs = ParallelRun.run(world, job(spec.layout(), settings, c, t, out.resolve("run-" + run++), 1), x -> { });
                    if (round < 0) continue;
                    List<StepLog> mine = logs.values().iterator().next();
                    StringBuilder text = new StringBuilder();
                    for (StepLog l : mine) {
                        text.append(String.format(Locale.ROOT, "wire %s round %d rank %d step %d: step %.1f ms = compute %.1f + exposed comm %.1f (+ bubble %.1f); overlapped %.1f; buckets %d, %d started in backward%n",
                                spec.name(), round + 1, l.rank(), l.step(), l.stepMs(), l.computeMs(), l.exposedCommMs(), l.bubbleMs(), l.overlappedCommMs(), l.buckets(), l.bucketsOverlapped()));
                    }
                    System.out.print(text);
                    timed.computeIfAbsent(spec.name(), k -> new ArrayList<>()).addAll(mine.subList(mine.size() / 2, mine.size()));
                }
            }
            int rank = world.groups().getFirst().rank();
            StringBuilder text = new StringBuilder();
            for (var e : timed.entrySet()) {
                List<StepLog> ls = e.getValue();
                text.append(String.format(Locale.ROOT, "wire-median name=%s rank=%d steps=%d step_ms=%.1f compute_ms=%.1f exposed_ms=%.1f overlapped_ms=%.1f bytes=%s load=%.2f%n",
                        e.getKey().replace(' ', '_'), rank, ls.size(), median(ls.stream().mapToDouble(StepLog::stepMs).toArray()),
                        median(ls.stream().mapToDouble(StepLog::computeMs).toArray()), median(ls.stream().mapToDouble(StepLog::exposedCommMs).toArray()),
                        median(ls.stream().mapToDouble(StepLog::overlappedCommMs).toArray()), ls.getLast().bytes().toString().replace(" ", ""), load()));
            }
            System.out.print(text);
        }
    }

    static String field(String line, String key) {
        for (String part : line.split(" ")) if (part.startsWith(key + "=")) return part.substring(key.length() + 1);
        throw new IllegalStateException("no " + key + " in " + line);
    }

    static String run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException(cmd + " failed:\n" + out);
        return out;
    }

    public static Path writeShard(Path dir, int vocab) throws IOException {
        Path p = dir.resolve("bench.tokens");
        Random r = new Random(0);
        try (TokenShardWriter w = new TokenShardWriter(p, vocab, 2)) {
            for (int d = 0; d < 400; d++) w.addDocument(r.ints(1000, 3, vocab).toArray());
        }
        return p;
    }

    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst().map(l -> l.split(":", 2)[1].strip()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    public static String isa() {
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            List<String> have = new ArrayList<>();
            for (String f : List.of("avx512f", "avx2", "fma", "amx_tile")) if ((" " + flags + " ").contains(" " + f + " ")) have.add(f);
            return String.join(" ", have);
        } catch (IOException e) {
            return "?";
        }
    }

    static Settings parse(String[] args) {
        String config = "small";
        int steps = 4, seq = 512, batch = 4;
        long floats = 4L << 20;
        boolean mpi = true, targetOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--allreduce-floats" -> floats = Long.parseLong(args[++i]);
                case "--skip-mpi" -> mpi = false;
                case "--target-only" -> targetOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--config, --steps, --seq, --batch, --allreduce-floats, --skip-mpi, --target-only)");
            }
        }
        if (batch % 2 != 0) throw new IllegalArgumentException("--batch must be even (dp2 splits it), got " + batch);
        return new Settings(config, steps, seq, batch, floats, mpi, targetOnly);
    }
}
