package wanka.bench.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import wanka.tensor.cpu.CpuPool;

/**
 * What a parallel region costs beyond its work: {@link CpuPool} beside its peer, a {@link ForkJoinPool} of
 * {@code threads - 1} workers driven the way CpuPool drove one before it had its own threads (the caller submits the
 * other ranges, runs the first and joins the rest; an unstarted range runs in the caller's join). Each region gives
 * every thread one range of CPU work (an integer hash loop calibrated at start to take {@code work} microseconds on an
 * idle core); between regions the caller busy-waits {@code gap} microseconds (the serial part of a training step
 * between two kernels). The overhead of a region is its wall time minus {@code work}: the hand-over to the workers and
 * back, and, where more threads are runnable than there are cores, the time a range waits for one. The pools take
 * turns, round after round, so that both see the same machine; the median, p90 and p99 over all rounds' regions are
 * printed, one JSON line per pool and setting. A third line per setting, {@code alone}, is the caller running one
 * range with no pool: the spread of the work itself (a core slower than the calibrating one, an interruption).
 */
public final class PoolBench {

    /** One pool and setting: overhead per region in microseconds. */
    public record Result(String impl, int threads, double workUs, double gapUs, int regions, double medianUs, double p90Us, double p99Us) {
        public String json() {
            return String.format(Locale.ROOT,
                    "{\"impl\":\"%s\",\"bench\":\"pool\",\"threads\":%d,\"work_us\":%.0f,\"gap_us\":%.0f,\"regions\":%d,"
                            + "\"overhead_median_us\":%.1f,\"overhead_p90_us\":%.1f,\"overhead_p99_us\":%.1f}",
                    impl, threads, workUs, gapUs, regions, medianUs, p90Us, p99Us);
        }
    }

    /** Runs {@code threads} ranges of one region; {@code body} gets the range's index. */
    private interface Pool extends AutoCloseable {
        String name();

        void region(int threads, IntConsumer body);

        @Override
        void close();
    }

    private PoolBench() {
    }

    public static final String OPTIONS = "[--threads 2] [--work-us 0,100,1000] [--gap-us 0] [--regions 2000] [--rounds 2]";

    public static void main(String[] args) {
        int threads = 2, regions = 2000, rounds = 2;
        double gapUs = 0;
        double[] works = {0, 100, 1000};
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " wants a value; options: " + OPTIONS);
            String v = args[++i];
            switch (a) {
                case "--threads" -> threads = positive(a, Integer.parseInt(v));
                case "--regions" -> regions = positive(a, Integer.parseInt(v));
                case "--rounds" -> rounds = positive(a, Integer.parseInt(v));
                case "--gap-us" -> gapUs = nonNegative(a, Double.parseDouble(v));
                case "--work-us" -> works = Arrays.stream(v.split(",")).mapToDouble(s -> nonNegative(a, Double.parseDouble(s.trim()))).toArray();
                default -> throw new IllegalArgumentException("unknown option " + a + "; options: " + OPTIONS);
            }
        }
        if (threads < 2) throw new IllegalArgumentException("--threads must be >= 2 (one thread has no region to hand over)");
        System.out.printf(Locale.ROOT, "# pool: %d threads, %d regions per setting and round (the first tenth not counted), %d rounds pooled, %d processors%n",
                threads, regions, rounds, Runtime.getRuntime().availableProcessors());
        for (Result r : run(threads, works, gapUs, regions, rounds)) System.out.println(r.json());
    }

    /** Measures every setting on both pools, {@code rounds} times in alternating order; the regions of all rounds are pooled. */
    public static List<Result> run(int threads, double[] worksUs, double gapUs, int regions, int rounds) {
        long itersPerUs = calibrate();
        List<Result> out = new ArrayList<>();
        try (Pool wanka = wanka(threads); Pool fj = forkJoin(threads); Pool alone = alone()) {
            Pool[] pools = {alone, wanka, fj};
            long[][][] over = new long[worksUs.length][pools.length][];
            for (int round = 0; round < rounds; round++) {
                for (int w = 0; w < worksUs.length; w++) {
                    for (int q = 0; q < pools.length; q++) {
                        int which = (round + q) % pools.length; // the first of a round rotates
                        settle();
                        long[] o = measure(pools[which], threads, worksUs[w], (long) (worksUs[w] * itersPerUs), gapUs, regions);
                        over[w][which] = over[w][which] == null ? o : concat(over[w][which], o);
                    }
                }
            }
            for (int w = 0; w < worksUs.length; w++) {
                for (int which = 0; which < pools.length; which++) {
                    long[] o = over[w][which];
                    Arrays.sort(o);
                    out.add(new Result(pools[which].name(), threads, worksUs[w], gapUs, o.length, us(o, 0.5), us(o, 0.9), us(o, 0.99)));
                }
            }
        }
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Iterations of {@link #work} per microsecond on this core: the best of several timed runs after a warm-up. */
    static long calibrate() {
        long n = 200_000;
        for (int i = 0; i < 50; i++) work(n); // compiled before it is timed
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            work(n);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return Math.max(1, (long) (n * 1000 / best));
    }

    /** {@code iters} steps of an integer hash chain: CPU work that cannot be skipped (its result is returned). */
    static long work(long iters) {
        long x = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < iters; i++) x = (x ^ (x >>> 29)) * 0xBF58476D1CE4E5B9L + i;
        return x;
    }

    /** Lets the other pool's threads stop spinning and park (CpuPool's spin for up to 0.5 ms) before the next one runs. */
    private static void settle() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The overhead of each measured region, in nanoseconds (the first tenth of the regions is not counted). */
    static long[] measure(Pool pool, int threads, double workUs, long iters, double gapUs, int regions) {
        long workNs = (long) (workUs * 1000), gapNs = (long) (gapUs * 1000);
        int skip = regions / 10;
        long[] over = new long[regions - skip];
        long[] sink = new long[threads];
        IntConsumer body = range -> sink[range] += work(iters);
        for (int i = 0; i < regions; i++) {
            spin(gapNs);
            long t0 = System.nanoTime();
            pool.region(threads, body);
            long t = System.nanoTime() - t0 - workNs;
            if (i >= skip) over[i - skip] = t;
        }
        if (sink[0] == 42) System.out.print(""); // keeps the work's result live
        return over;
    }

    private static double us(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e3;
    }

    private static void spin(long nanos) {
        if (nanos <= 0) return;
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    /** The baseline: the caller runs one range alone, no pool; its "overhead" is the work's own spread around its calibrated time. */
    private static Pool alone() {
        return new Pool() {
            public String name() {
                return "alone";
            }

            public void region(int n, IntConsumer body) {
                body.accept(0);
            }

            public void close() {
            }
        };
    }

    private static Pool wanka(int threads) {
        CpuPool pool = CpuPool.ofThreads(threads);
        return new Pool() {
            public String name() {
                return "wanka";
            }

            public void region(int n, IntConsumer body) {
                pool.parallelFor(n, (from, to) -> {
                    for (int i = from; i < to; i++) body.accept(i);
                });
            }

            public void close() {
                pool.close();
            }
        };
    }

    private static Pool forkJoin(int threads) {
        ForkJoinPool pool = new ForkJoinPool(threads - 1);
        return new Pool() {
            public String name() {
                return "forkjoin";
            }

            public void region(int n, IntConsumer body) {
                ForkJoinTask<?>[] others = new ForkJoinTask<?>[n - 1];
                for (int p = 1; p < n; p++) {
                    int range = p;
                    others[p - 1] = pool.submit(() -> body.accept(range));
                }
                body.accept(0);
                for (ForkJoinTask<?> t : others) t.join();
            }

            public void close() {
                pool.shutdown();
            }
        };
    }

    private static int positive(String option, int v) {
        if (v < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + v);
        return v;
    }

    private static double nonNegative(String option, double v) {
        if (!(v >= 0)) throw new IllegalArgumentException(option + " must be >= 0, got " + v);
        return v;
    }
}
