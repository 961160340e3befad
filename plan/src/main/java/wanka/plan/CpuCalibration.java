package wanka.plan;

import wanka.tensor.cpu.AdamW;
import wanka.tensor.cpu.Attention;
import wanka.tensor.cpu.AttentionOperand;
import wanka.tensor.cpu.AttentionShape;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.Gemm;
import wanka.tensor.cpu.RowOps;
import wanka.tensor.cpu.SwiGlu;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures this machine's CPU with wanka's own kernels ({@code wanka plan calibrate}) and turns it into a
 * {@link Cluster} of one device, so that wanka's own runs can be planned: GEMM FLOP/s of {@link Gemm#sgemm} at the
 * training shapes of a small TeleChat2 layer (forward NT, backward-data NN, backward-weight TN), at an
 * attention-like shape and at 1024³; memory bandwidth of a multi-threaded copy; the element-wise rate of
 * {@link SwiGlu#forward}; the cost of handing a kernel to the threads; threads and memory.
 *
 * <p>Mapping to the time model ({@link Work#seconds}): peak = the fastest GEMM measured (fp32: wanka computes in fp32
 * on the CPU, so peak16 = peak32); matmul efficiency = the mean of the layer shapes over the peak; attention
 * efficiency = the attention-like shape over the peak; HBM bandwidth = the copy bandwidth, memory efficiency = SwiGLU's
 * bytes/s over it; kernel overhead = one small call; links (ranks of one machine share its memory): the α and β of an
 * all-reduce between in-process ranks, measured. With {@code ranks > 1} every rate is a rank's while that many ranks
 * run at once, which is what each of the ranks of a run on this machine gets.
 */
public final class CpuCalibration {
    /** How a profile's {@link Cluster#calibratedOn()} begins. */
    public static final String SOURCE = "measured by wanka plan calibrate";

    private CpuCalibration() {
    }

    /** One GEMM shape and its rate. */
    public record GemmRate(String op, int m, int n, int k, double flopsPerSecond) {
    }

    /**
     * What was measured.
     *
     * @param ranks                ranks measured at once: every probe ran on this many threads (each with its own pool
     *                             of {@code threads} and its own data) at the same time, as the ranks of a run on this
     *                             machine do; the rates are per rank (the mean over ranks of each one's fastest call)
     * @param threads              threads per rank
     * @param gemms                the layer shapes, then the attention-like shape, then 1024³
     * @param copyBytesPerSecond   bytes read plus written per second by a parallel copy of 2 × 64 MB
     * @param swigluBytesPerSecond SwiGLU forward: 12 bytes per element (read gate and up, write the product) per second
     * @param kernelSeconds        mean cost of handing a trivial parallel loop to every thread and joining it (what
     *                             each kernel pays beyond its work)
     * @param allReduceLatency     α of an all-reduce between in-process ranks (max(2, ranks) threads of this JVM, heap
     *                             arrays), from t(S) = 2(n−1)α + 2(n−1)/n · S/β at two sizes
     * @param allReduceBytesPerSecond β of the same fit
     * @param memoryBytes          physical memory
     * @param usableBytes          what a run may allocate: the JVM's maximum heap, at most 90 % of physical memory
     * @param rates                the per-shape and per-op-class rates ({@link CpuRates}): the GEMM grid {@link #GRID} for
     *                             NT, NN and TN, attention at {@link #ATTENTION_SEQ} × {@link #ATTENTION_HEAD_DIM}, SwiGLU,
     *                             allocation and the optimizer pass; each the mean call of a rank while all ran
     * @param seconds              time the measurement took
     */
    public record Measurement(int ranks, int threads, List<GemmRate> gemms, double copyBytesPerSecond, double swigluBytesPerSecond,
                              double kernelSeconds, double allReduceLatency, double allReduceBytesPerSecond, long memoryBytes,
                              long usableBytes, CpuRates rates, double seconds) {
        /** @return the fastest GEMM rate */
        public double peak() {
            return gemms.stream().mapToDouble(GemmRate::flopsPerSecond).max().orElseThrow();
        }
    }

    /** The layer shapes (2048 tokens, h 512, f 1376), the attention-like shape, and 1024³. */
    static final int[][] SHAPES = {{0, 2048, 1376, 512}, {1, 2048, 512, 1376}, {2, 512, 1376, 2048}, {0, 512, 512, 64},
            {1, 1024, 1024, 1024}};
    static final String[] OPS = {"NT", "NN", "TN"};
    static final int LAYER_SHAPES = 3;
    /** The GEMM grid's values of m (rows: the tokens of a micro-batch, most varied), and of n and k (every combination). */
    static final int[] GRID_M = {128, 256, 512, 1024, 2048}, GRID = {128, 512, 2048};
    /** Rows of 4096 floats of the element-wise probes: tensors of 256 KB, 2 MB and 16 MB (in cache, shared cache, memory). */
    static final int[] ELEMENTWISE_ROWS = {16, 128, 1024};
    /** The attention grid: sequence lengths and head dimensions (8 query heads over 2 key/value heads, 1024 tokens). */
    static final int[] ATTENTION_SEQ = {64, 256, 1024}, ATTENTION_HEAD_DIM = {32, 128};

    /** Measures one rank of {@code threads} threads, about {@code secondsPerProbe} per probe (0.8, the default: 15–30 s on 2 cores). */
    public static Measurement measure(int threads, double secondsPerProbe) {
        return measure(1, threads, secondsPerProbe);
    }

    /**
     * Measures {@code ranks} ranks of {@code threads} threads running every probe at the same time (a device's rates
     * while the other devices of the machine are busy too: they share its memory bandwidth, caches and clock), and the
     * in-process all-reduce between ranks.
     */
    public static Measurement measure(int ranks, int threads, double secondsPerProbe) {
        if (ranks < 1 || threads < 1) throw new IllegalArgumentException("ranks and threads must be at least 1, got " + ranks + " and " + threads);
        long t0 = System.nanoTime();
        List<GemmRate> gemms = new ArrayList<>();
        List<CpuPool> pools = new ArrayList<>();
        try {
            for (int r = 0; r < ranks; r++) pools.add(CpuPool.ofThreads(threads));
            for (int[] s : SHAPES) {
                String op = OPS[s[0]];
                double sec = concurrently(pools, pool -> gemmCall(pool, op, s[1], s[2], s[3]), secondsPerProbe);
                gemms.add(new GemmRate(op, s[1], s[2], s[3], 2.0 * s[1] * s[2] * s[3] / sec));
            }
            int n = 16 << 20; // 64 MB of floats per array
            double copy = 8.0 * n / concurrently(pools, pool -> {
                float[] a = new float[n], b = new float[n];
                Arrays.fill(a, 1f);
                return () -> pool.parallelFor(n, 1 << 16, (from, to) -> System.arraycopy(a, from, b, from, to - from));
            }, secondsPerProbe);
            int rows = 1024, cols = 4096;
            double swiglu = 12.0 * rows * cols / concurrently(pools, pool -> swigluCall(pool, rows, cols), secondsPerProbe);
            float[] h = new float[2 * threads];
            double kernel = average(() -> pools.getFirst().parallelFor(2 * threads, 1, (from, to) -> h[from] += 1), secondsPerProbe / 4);
            List<CpuRates.Elementwise> elementwise = new ArrayList<>();
            for (int r : ELEMENTWISE_ROWS) {
                elementwise.add(new CpuRates.Elementwise(4.0 * r * cols, 12.0 * r * cols / concurrently(pools, pool -> swigluCall(pool, r, cols), secondsPerProbe / 4, true)));
            }
            CpuRates rates = rates(pools, secondsPerProbe, elementwise);
            pools.forEach(CpuPool::close);
            pools.clear();
            double[] link = InProcessAllReduce.measure(Math.max(2, ranks), secondsPerProbe);
            if (ranks > 1) {
                rates = rates.withDrift(List.of(InProcessAllReduce.drift(ranks, threads, 1024, 256, 256, secondsPerProbe),
                        InProcessAllReduce.drift(ranks, threads, 2048, 1024, 1024, 2 * secondsPerProbe)));
            }
            long mem = physicalMemory();
            long usable = Math.min(Runtime.getRuntime().maxMemory(), (long) (0.9 * mem));
            return new Measurement(ranks, threads, gemms, copy, swiglu, kernel, link[0], link[1], mem, usable, rates, (System.nanoTime() - t0) / 1e9);
        } finally {
            pools.forEach(CpuPool::close);
        }
    }

    /**
     * Runs the call each pool's rank makes on its own thread, all ranks at the same time, each for about {@code seconds};
     * returns the mean over ranks of each one's fastest call.
     */
    private static double concurrently(List<CpuPool> pools, java.util.function.Function<CpuPool, Runnable> make, double seconds) {
        return concurrently(pools, make, seconds, false);
    }

    /** {@link #concurrently}; with {@code mean}, each rank's mean call instead of its fastest. */
    private static double concurrently(List<CpuPool> pools, java.util.function.Function<CpuPool, Runnable> make, double seconds, boolean mean) {
        if (pools.size() == 1) return mean ? mean(make.apply(pools.getFirst()), seconds) : best(make.apply(pools.getFirst()), seconds);
        List<Runnable> calls = pools.stream().map(make).toList();
        double[] bests = new double[calls.size()];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(calls.size());
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < calls.size(); r++) {
            int rank = r;
            threads.add(Thread.ofPlatform().name("wanka-calibrate-rank-" + r).start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException("calibration rank " + rank + " could not start", e);
                }
                bests[rank] = mean ? mean(calls.get(rank), seconds) : best(calls.get(rank), seconds);
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calibrating", e);
            }
        }
        return Arrays.stream(bests).average().orElseThrow();
    }

    /**
     * The per-shape rates: every probe runs on all ranks at once, and its rate is the mean over ranks of each one's
     * mean call (a step is a sum of calls, so its expected time is the sum of their means: a rank descheduled while
     * another thread takes its core counts, as it does in a step; the fastest or median call would hide it).
     */
    static CpuRates rates(List<CpuPool> pools, double secondsPerProbe, List<CpuRates.Elementwise> elementwise) {
        double window = Math.max(0.02, secondsPerProbe / 8);
        List<CpuRates.Gemm> gemm = new ArrayList<>();
        for (String form : OPS) {
            for (int m : GRID_M) {
                for (int n : GRID) {
                    for (int k : GRID) {
                        double sec = concurrently(pools, pool -> gemmCall(pool, form, m, n, k), window, true);
                        gemm.add(new CpuRates.Gemm(form, m, n, k, 2.0 * m * n * k / sec));
                    }
                }
            }
        }
        List<CpuRates.Attention> attention = new ArrayList<>();
        // The attention kernels have not run yet in this JVM: compile them before anything is timed
        for (int d : ATTENTION_HEAD_DIM) {
            concurrently(pools, pool -> {
                Runnable f = attentionCall(pool, 4, 8, 2, d, 256, false), b = attentionCall(pool, 4, 8, 2, d, 256, true);
                return () -> {
                    f.run();
                    b.run();
                };
            }, secondsPerProbe / 2, false);
        }
        // Two passes over the grid, each point keeping its faster pass: the kernels' code for each head dimension may still
        // be compiling during the first (the JIT compiles per shape of loop it has seen, later when the machine is busy).
        double[][] fwd = new double[ATTENTION_SEQ.length][ATTENTION_HEAD_DIM.length], bwd = new double[ATTENTION_SEQ.length][ATTENTION_HEAD_DIM.length];
        for (double[] row : fwd) Arrays.fill(row, Double.POSITIVE_INFINITY);
        for (double[] row : bwd) Arrays.fill(row, Double.POSITIVE_INFINITY);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < ATTENTION_SEQ.length; i++) {
                for (int j = 0; j < ATTENTION_HEAD_DIM.length; j++) {
                    int seq = ATTENTION_SEQ[i], d = ATTENTION_HEAD_DIM[j], batch = Math.max(1, 1024 / seq);
                    fwd[i][j] = Math.min(fwd[i][j], concurrently(pools, pool -> attentionCall(pool, batch, 8, 2, d, seq, false), window, true));
                    bwd[i][j] = Math.min(bwd[i][j], concurrently(pools, pool -> attentionCall(pool, batch, 8, 2, d, seq, true), window, true));
                }
            }
        }
        for (int i = 0; i < ATTENTION_SEQ.length; i++) {
            for (int j = 0; j < ATTENTION_HEAD_DIM.length; j++) {
                int seq = ATTENTION_SEQ[i], d = ATTENTION_HEAD_DIM[j], batch = Math.max(1, 1024 / seq);
                double flops = 2.0 * batch * 8 * (double) seq * (seq + 1) * d; // 8 heads, as the META device counts; backward 2.5×
                attention.add(new CpuRates.Attention(seq, d, flops / fwd[i][j], 2.5 * flops / bwd[i][j]));
            }
        }
        int chunk = 1 << 20; // 4 MB tensors, as a layer's activations of a small model
        int params = 4 << 20;
        concurrently(pools, pool -> optimizerCall(pool, params), secondsPerProbe / 2, false); // compiles it before it is timed
        double alloc = 4.0 * chunk * 16 / concurrently(pools, pool -> {
            float[][] keep = new float[16][];
            return () -> {
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = new float[chunk];
                    keep[i][i] = 1f;
                }
            };
        }, secondsPerProbe / 2, true);
        double optimizer = params / concurrently(pools, pool -> optimizerCall(pool, params), secondsPerProbe / 2, true);
        return new CpuRates(gemm, attention, elementwise, alloc, optimizer, List.of());
    }

    private static Runnable swigluCall(CpuPool pool, int rows, int cols) {
        float[] g = new float[rows * cols], u = new float[rows * cols], h = new float[rows * cols];
        Arrays.fill(g, 0.5f);
        Arrays.fill(u, 0.25f);
        return () -> SwiGlu.forward(pool, rows, cols, g, 0, cols, u, 0, cols, h, 0, cols);
    }

    /** The trainer's optimizer pass over {@code params} parameters: scale the gradients, their sum of squares, AdamW. */
    private static Runnable optimizerCall(CpuPool pool, int params) {
        float[] p = new float[params], g = new float[params], m = new float[params], v = new float[params];
        Arrays.fill(g, 1e-3f);
        AdamW adam = new AdamW(0.9, 0.95, 1e-8, 0.1);
        long[] step = {0};
        return () -> {
            RowOps.scale(pool, g, 0, params, 1f);
            RowOps.sumOfSquares(pool, g, 0, params);
            adam.step(pool, 1e-4, ++step[0], params, p, 0, g, 0, m, 0, v, 0);
        };
    }

    private static Runnable attentionCall(CpuPool pool, int batch, int heads, int kvHeads, int d, int seq, boolean backward) {
        int tokens = batch * seq;
        float[] q = new float[tokens * heads * d], kv = new float[tokens * kvHeads * 2 * d], out = new float[q.length];
        fill(q, 1);
        fill(kv, 2);
        AttentionShape s = AttentionShape.training(batch, heads, kvHeads, d, seq);
        float[] lse = new float[s.lseLength()];
        AttentionOperand qo = AttentionOperand.contiguous(q, seq, heads, d), ko = AttentionOperand.interleavedKeys(kv, seq, kvHeads, d),
                vo = AttentionOperand.interleavedValues(kv, seq, kvHeads, d), oo = AttentionOperand.contiguous(out, seq, heads, d);
        Attention.forward(pool, s, qo, ko, vo, oo, lse);
        if (!backward) return () -> Attention.forward(pool, s, qo, ko, vo, oo, lse);
        float[] dq = new float[q.length], dkv = new float[kv.length];
        AttentionOperand dqo = AttentionOperand.contiguous(dq, seq, heads, d), dko = AttentionOperand.interleavedKeys(dkv, seq, kvHeads, d),
                dvo = AttentionOperand.interleavedValues(dkv, seq, kvHeads, d);
        return () -> Attention.backward(pool, s, qo, ko, vo, oo, qo, lse, dqo, dko, dvo);
    }

    /** Fills {@code a} with values in [−0.5, 0.5) of a cheap pattern (the kernels' speed does not depend on them). */
    private static void fill(float[] a, int seed) {
        for (int i = 0; i < a.length; i++) a[i] = ((i * 37 + seed * 11) % 101) / 101f - 0.5f;
    }

    private static Runnable gemmCall(CpuPool pool, String op, int m, int n, int k) {
        boolean ta = op.charAt(0) == 'T', tb = op.charAt(1) == 'T';
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        fill(a, 1);
        fill(b, 2);
        int lda = ta ? m : k, ldb = tb ? k : n;
        return () -> Gemm.sgemm(pool, ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
    }

    /** Best seconds of one call: warm-up for a third of the time, then the fastest call over the rest. */
    private static double best(Runnable call, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < warmEnd; i++) call.run();
        long best = Long.MAX_VALUE, end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        for (int i = 0; i < 3 || System.nanoTime() < end; i++) {
            long t = System.nanoTime();
            call.run();
            best = Math.min(best, System.nanoTime() - t);
        }
        return Math.max(best, 1) / 1e9;
    }

    /** Mean seconds of one call over about {@code seconds} (at least 3 timed calls, after one untimed). */
    private static double mean(Runnable call, double seconds) {
        call.run();
        long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        int calls = 0;
        while (calls < 3 || System.nanoTime() < end) {
            call.run();
            calls++;
        }
        return Math.max(System.nanoTime() - t0, 1) / 1e9 / calls;
    }

    /** Mean seconds of one call over about {@code seconds} (after a warm-up of a third of it). */
    private static double average(Runnable call, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        while (System.nanoTime() < warmEnd) call.run();
        long t0 = System.nanoTime(), end = t0 + (long) (seconds * 2 / 3 * 1e9);
        int calls = 0;
        while (calls < 10 || System.nanoTime() < end) {
            call.run();
            calls++;
        }
        return (System.nanoTime() - t0) / 1e9 / calls;
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** The one-device cluster of a measurement (see the class comment for the mapping). */
    public static Cluster toCluster(Measurement x, String name) {
        double peak = x.peak();
        double layer = x.gemms().subList(0, LAYER_SHAPES).stream().mapToDouble(GemmRate::flopsPerSecond).average().orElseThrow();
        double attention = x.gemms().get(LAYER_SHAPES).flopsPerSecond();
        double memEff = Math.min(1, x.swigluBytesPerSecond() / x.copyBytesPerSecond());
        Accelerator acc = new Accelerator(String.format(Locale.ROOT, "CPU, %d threads", x.threads()), peak, peak, x.memoryBytes(),
                x.usableBytes(), x.copyBytesPerSecond());
        Link link = new Link(x.allReduceBytesPerSecond(), x.allReduceLatency());
        Efficiency e = new Efficiency(Math.min(1, layer / peak), Math.min(1, attention / peak), memEff, x.kernelSeconds(), 1, 1);
        return new Cluster(name, acc, 1, 1, link, link, e, String.format(Locale.ROOT,
                SOURCE + " (%d threads%s, GEMM peak %.1f GFLOP/s, copy %.1f GB/s, in-process all-reduce α %.1f µs β %.1f GB/s%s)", x.threads(),
                x.ranks() > 1 ? " per rank, " + x.ranks() + " ranks at once" : "", peak / 1e9, x.copyBytesPerSecond() / 1e9,
                x.allReduceLatency() * 1e6, x.allReduceBytesPerSecond() / 1e9, x.rates() == null ? "" : String.format(Locale.ROOT,
                        "; per-shape rates: GEMM grid %.1f–%.1f GFLOP/s, allocation %.1f GB/s, optimizer %.0f M parameters/s, wait at a collective %s",
                        x.rates().gemm().stream().mapToDouble(CpuRates.Gemm::flopsPerSecond).min().orElse(0) / 1e9,
                        x.rates().gemm().stream().mapToDouble(CpuRates.Gemm::flopsPerSecond).max().orElse(0) / 1e9,
                        x.rates().allocationBytesPerSecond() / 1e9, x.rates().optimizerParamsPerSecond() / 1e6, x.rates().drift().stream().map(d -> String.format(Locale.ROOT, "%.0f µs after %.1f ms",
                                d.waitSeconds() * 1e6, d.computeSeconds() * 1e3)).toList())), Precision.FP32, TrainingStack.WANKA_CPU, x.rates());
    }
}
