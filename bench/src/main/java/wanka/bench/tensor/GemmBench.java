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

    /** A measured shape: best-of GFLOP/s after warm-up. */
    public record Result(String impl, String op, int m, int n, int k, int threads, double gflops) {
        /** One JSON object on a line. */
        public String json() {
            return String.format(Locale.ROOT, "{\"impl\":\"%s\",\"op\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"gflops\":%.1f}",
                    impl, op, m, n, k, threads, gflops);
        }
    }

    private GemmBench() {
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
     * Times each shape on a pool of {@code threads} (after a JIT warm-up of about 2.4 s on 384³ in
     * each pass): warm-up of at least 0.3 s, then the best of at
     * least {@code reps} calls (more for fast shapes, up to 0.5 s). Each result is passed to
     * {@code onResult} as it is measured and returned in order.
     */
    public static List<Result> run(int threads, int reps, List<Shape> shapes, Consumer<Result> onResult) {
        List<Result> results = new ArrayList<>();
        try (CpuPool pool = CpuPool.ofThreads(threads)) {
            for (String op : List.of("NN", "NT", "TN")) bestSeconds(pool, new Shape(op, 384, 384, 384), 1); // JIT warm-up
            for (Shape s : shapes) {
                Result r = new Result("wanka", s.op(), s.m(), s.n(), s.k(), threads, s.flops() / bestSeconds(pool, s, reps) / 1e9);
                onResult.accept(r);
                results.add(r);
            }
        }
        return results;
    }

    private static double bestSeconds(CpuPool pool, Shape s, int reps) {
        boolean ta = s.op().charAt(0) == 'T', tb = s.op().charAt(1) == 'T';
        int m = s.m(), n = s.n(), k = s.k();
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        float beta = ta && !tb ? 1f : 0f; // the weight-gradient pass accumulates
        Runnable call = () -> Gemm.sgemm(pool, ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        long warmEnd = System.nanoTime() + 300_000_000L;
        for (int i = 0; i < 2 || System.nanoTime() < warmEnd; i++) call.run();
        long best = Long.MAX_VALUE;
        long measureEnd = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < reps || (System.nanoTime() < measureEnd && i < 200); i++) {
            long t0 = System.nanoTime();
            call.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e9;
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
        run(threads, reps, shapes.isEmpty() ? smallModelShapes() : shapes, r -> System.out.println(r.json()));
    }

    private static String require(String v, String flag) {
        if (v == null) throw new IllegalArgumentException(flag + " needs a value");
        return v;
    }
}
