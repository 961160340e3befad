package wanka.bench.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.Gemm;

/**
 * GFLOP/s of {@link Gemm#sgemm} on the training shapes of the {@code small} model config (2048 tokens
 * per step): every Linear in its forward (NT), backward-data (NN) and backward-weight (TN, beta=1)
 * pass, plus square NN problems. Prints one JSON line per shape; compare with
 * {@code /usr/bin/python3 ../shared/bench/peer_sgemm.py M,N,K ...} run in the same command.
 *
 * <p>Usage: {@code GemmBench [--threads N] [--reps N] [--shape OP,M,N,K ...]}.
 */
public final class GemmBench {

    /** One GEMM to time: {@code op} is NN, NT or TN (transposition of A then B). */
    public record Shape(String op, int m, int n, int k) {
        public Shape {
            if (!List.of("NN", "NT", "TN", "TT").contains(op)) throw new IllegalArgumentException("op must be NN, NT, TN or TT, got " + op);
            if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("shape dims must be >= 1, got " + m + "," + n + "," + k);
        }

        /** Floating-point operations of one call (2·m·n·k). */
        public double flops() {
            return 2.0 * m * n * k;
        }
    }

    /**
     * A measured shape: best-of GFLOP/s after warm-up, by wall-clock time and, with one thread, by the calling
     * thread's CPU time ({@code gflopsCpu}: not inflated when a loaded machine takes the core away; 0 with more
     * threads, whose CPU time includes their waiting). With more threads, {@code processCpuMs} is the mean CPU
     * time of all the process's threads per measured call (every worker's computing and spin-waiting; 0 with one thread): against
     * the one-thread call's CPU time it gives the parallel efficiency, which a loaded machine does not distort
     * the way it distorts the wall clock.
     */
    public record Result(String impl, String op, int m, int n, int k, int threads, double gflops, double gflopsCpu,
                         double processCpuMs) {
        /** One JSON object on a line. */
        public String json() {
            return String.format(Locale.ROOT, "{\"impl\":\"%s\",\"op\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"gflops\":%.1f%s%s}",
                    impl, op, m, n, k, threads, gflops, gflopsCpu > 0 ? String.format(Locale.ROOT, ",\"gflops_cpu\":%.1f", gflopsCpu) : "",
                    processCpuMs > 0 ? String.format(Locale.ROOT, ",\"process_cpu_ms\":%.3f", processCpuMs) : "");
        }
    }

    private GemmBench() {
    }

    /**
     * What the figures were measured with: the JVM's vector width (the species the kernels use) and the
     * JVM options that set it (e.g. {@code -XX:UseAVX=2}), as one JSON object on a line.
     */
    public static String header() {
        String opts = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:UseAVX") || a.startsWith("-XX:MaxVectorSize") || a.contains("TransparentHugePages")).collect(java.util.stream.Collectors.joining(" "));
        return String.format(Locale.ROOT, "{\"impl\":\"wanka\",\"vector_bits\":%d,\"jvm_options\":\"%s\",\"java\":\"%s\"}",
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(), opts, Runtime.version());
    }

    /** The {@code small} config's Linear layers (in → out) with 2048 tokens, in all three passes, and 512³, 1024³, 2048³ NN. */
    public static List<Shape> smallModelShapes() {
        List<Shape> shapes = new ArrayList<>();
        for (int s : new int[] {512, 1024, 2048}) shapes.add(new Shape("NN", s, s, s));
        int tokens = 2048;
        int[][] linears = {{512, 512}, {512, 256}, {512, 1376}, {1376, 512}, {512, 32000}};
        for (int[] l : linears) {
            int in = l[0], out = l[1];
            shapes.add(new Shape("NT", tokens, out, in));  // Y = X · Wᵀ
            shapes.add(new Shape("NN", tokens, in, out));  // dX = dY · W
            shapes.add(new Shape("TN", out, in, tokens));  // dW += dYᵀ · X
        }
        return shapes;
    }

    /**
     * Times each shape on a pool of {@code threads} (after a JIT warm-up on 384³ in each pass): warm-up of at
     * least 0.3 s, then the best of at least {@code reps} calls (more for fast shapes, up to 0.5 s), the windows
     * in the calling thread's CPU time. Each result is passed to
     * {@code onResult} as it is measured and returned in order.
     */
    public static List<Result> run(int threads, int reps, List<Shape> shapes, Consumer<Result> onResult) {
        List<Result> results = new ArrayList<>();
        try (CpuPool pool = CpuPool.ofThreads(threads)) {
            // JIT warm-up on every op, with partial tiles in every dimension (so that C2 compiles the edge paths too,
            // instead of deoptimising on the first measured shape that has them) and two k slices.
            for (String op : List.of("NN", "NT", "TN")) bestSeconds(pool, new Shape(op, 389, 397, 383), 1);
            for (Shape s : shapes) {
                double[] best = bestSeconds(pool, s, reps);
                Result r = new Result("wanka", s.op(), s.m(), s.n(), s.k(), threads, s.flops() / best[0] / 1e9,
                        threads == 1 ? s.flops() / best[1] / 1e9 : 0, threads == 1 ? 0 : best[2] * 1e3);
                onResult.accept(r);
                results.add(r);
            }
        }
        return results;
    }

    /** The best wall-clock and the best calling-thread CPU seconds of one call, and the mean CPU seconds of all threads per call. */
    private static double[] bestSeconds(CpuPool pool, Shape s, int reps) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean ta = s.op().charAt(0) == 'T', tb = s.op().charAt(1) == 'T';
        int m = s.m(), n = s.n(), k = s.k();
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        float beta = ta && !tb ? 1f : 0f; // the weight-gradient pass accumulates
        Runnable call = () -> Gemm.sgemm(pool, ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        // Warm-up and measuring windows in the calling thread's CPU time: on a loaded machine a wall-clock window
        // may pass before C2 has compiled the kernels (its compiler thread competes for the same cores).
        long warmEnd = mx.getCurrentThreadCpuTime() + 300_000_000L;
        for (int i = 0; i < 2 || mx.getCurrentThreadCpuTime() < warmEnd; i++) call.run();
        long best = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE;
        long measureEnd = mx.getCurrentThreadCpuTime() + 500_000_000L;
        long cpuStart = allThreadsCpuNanos();
        int calls = 0;
        for (int i = 0; i < reps || (mx.getCurrentThreadCpuTime() < measureEnd && i < 200); i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            call.run();
            best = Math.min(best, System.nanoTime() - t0);
            bestCpu = Math.min(bestCpu, mx.getCurrentThreadCpuTime() - c0);
            calls++;
        }
        return new double[] {best / 1e9, Math.max(bestCpu, 1) / 1e9, (allThreadsCpuNanos() - cpuStart) / 1e9 / calls};
    }

    /**
     * CPU time of all live threads of the process, summed (per-thread clocks: nanosecond resolution, where the
     * process clock of the OS bean ticks in 10 ms on Linux). The pool's workers live as long as the pool.
     */
    private static long allThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) sum += Math.max(0, mx.getThreadCpuTime(id));
        return sum;
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        return x;
    }

    /** Entry point; prints one JSON line per shape. */
    public static void main(String[] args) {
        int threads = Runtime.getRuntime().availableProcessors();
        int reps = 5;
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--threads" -> { threads = Integer.parseInt(require(v, "--threads")); i++; }
                case "--reps" -> { reps = Integer.parseInt(require(v, "--reps")); i++; }
                case "--shape" -> {
                    String[] f = require(v, "--shape").split(",");
                    if (f.length != 4) throw new IllegalArgumentException("--shape wants OP,M,N,K, got " + v);
                    shapes.add(new Shape(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: GemmBench [--threads N] [--reps N] [--shape OP,M,N,K ...])");
            }
        }
        System.out.println(header());
        run(threads, reps, shapes.isEmpty() ? smallModelShapes() : shapes, r -> System.out.println(r.json()));
    }

    private static String require(String v, String flag) {
        if (v == null) throw new IllegalArgumentException(flag + " needs a value");
        return v;
    }
}
