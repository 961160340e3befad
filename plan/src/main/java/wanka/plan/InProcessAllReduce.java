package wanka.plan;

import wanka.dist.Span;
import wanka.dist.inproc.InProcessWorld;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;

/**
 * The cost of an all-reduce between the in-process ranks of one JVM (wanka's ranks as threads), as the link of the
 * CPU profile: the lower-quartile time of a small and of a large all-reduce of heap float arrays (as the tensor-parallel
 * all-reduces pass them), fitted to the ring model t(S) = 2(n−1)α + 2(n−1)/n · S/β of {@link Collectives}. The lower
 * quartile, not the median: on an idle machine they are close, and on a loaded one the quartile is not yet the time a
 * descheduled rank kept the others waiting.
 */
final class InProcessAllReduce {
    /** Floats per rank of the two sizes: 4 KB (latency) and 4 MB (bandwidth, above a tensor-parallel activation of tiny). */
    static final int SMALL = 1 << 10, LARGE = 1 << 20;
    private static final int PASSES = 4;

    private InProcessAllReduce() {
    }

    /** {α seconds, β bytes/s} for {@code ranks} ranks, about {@code seconds} per size. */
    static double[] measure(int ranks, double seconds) {
        double[] t = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        try (InProcessWorld w = InProcessWorld.create(ranks, Duration.ofMinutes(2))) {
            w.run(g -> {
                // Passes over both sizes; each size keeps its best pass: the reduction's vector code is slow until the JIT
                // has compiled it, which can take a while when the compiler is busy (after the GEMM probes).
                for (int pass = 0; pass < PASSES; pass++) {
                    int k = 0;
                    for (int n : new int[]{SMALL, LARGE}) {
                        float[] a = new float[n];
                        // zeros: repeated sums stay finite and normal
                        Span span = Span.floats(MemorySegment.ofArray(a), 0, n);
                        double[] times = new double[timedCalls(n, seconds / PASSES)];
                        for (int i = 0; i < times.length; i++) {
                            long t0 = System.nanoTime();
                            g.allReduce(span);
                            times[i] = (System.nanoTime() - t0) / 1e9;
                        }
                        if (g.rank() == 0) t[k] = Math.min(t[k], lowerQuartile(times));
                        k++;
                    }
                }
            });
        }
        return fit(ranks, 4.0 * SMALL, t[0], 4.0 * LARGE, t[1]);
    }

    /**
     * How long {@code ranks} ranks (each with its own pool of {@code threads}) that compute the same work wait for each
     * other at a blocking collective while they share the machine: every rank runs a matrix multiply m × n × k then a 4 KB
     * all-reduce, over and over; the mean iteration, less the mean multiply of the same ranks computing at the same time
     * without the all-reduce, less the all-reduce's own lower-quartile time, is the wait (at least 0) after the mean
     * multiply's compute.
     */
    static CpuRates.Drift drift(int ranks, int threads, int m, int n, int k, double seconds) {
        double[] r = new double[3];
        try (InProcessWorld w = InProcessWorld.create(ranks, Duration.ofMinutes(2))) {
            w.run(g -> {
                try (wanka.tensor.cpu.CpuPool pool = wanka.tensor.cpu.CpuPool.ofThreads(threads)) {
                    float[] a = new float[m * k], b = new float[n * k], c = new float[m * n], x = new float[SMALL];
                    java.util.Arrays.fill(a, 0.01f);
                    java.util.Arrays.fill(b, 0.01f);
                    Runnable gemm = () -> wanka.tensor.cpu.Gemm.sgemm(pool, false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
                    Span span = Span.floats(MemorySegment.ofArray(x), 0, SMALL);
                    for (int i = 0; i < 5; i++) { // warm both
                        gemm.run();
                        g.allReduce(span);
                    }
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 5; i++) gemm.run();
                    double one = Math.max((System.nanoTime() - t0) / 5e9, 1e-5);
                    double[] guess = {one};
                    g.allReduce(Span.doubles(MemorySegment.ofArray(guess))); // every rank runs the same count
                    int calls = (int) Math.max(10, Math.min(2000, seconds / 2 / (guess[0] / ranks)));
                    g.barrier();
                    t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) gemm.run();
                    double alone = (System.nanoTime() - t0) / 1e9 / calls;
                    g.barrier();
                    double[] ar = new double[calls];
                    t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        gemm.run();
                        long t1 = System.nanoTime();
                        g.allReduce(span);
                        ar[i] = (System.nanoTime() - t1) / 1e9;
                    }
                    double both = (System.nanoTime() - t0) / 1e9 / calls;
                    if (g.rank() == 0) {
                        r[0] = alone;
                        r[1] = both;
                        r[2] = lowerQuartile(ar);
                    }
                }
            });
        }
        return new CpuRates.Drift(r[0], Math.max(0, r[1] - r[0] - r[2]));
    }

    /** α and β of the ring all-reduce through two (bytes per rank, seconds) points; β from the slope, α ≥ 0 from the rest. */
    static double[] fit(int n, double s1, double t1, double s2, double t2) {
        double perByte = Math.max((t2 - t1) / (s2 - s1), 1e-13) / (2.0 * (n - 1) / n); // seconds per byte over β
        double beta = 1 / perByte;
        double alpha = Math.max(0, (t1 - 2.0 * (n - 1) / n * s1 / beta) / (2.0 * (n - 1)));
        return new double[]{alpha, beta};
    }

    /** Calls per size: the same count on every rank (they must match), about {@code seconds} at a guessed 5 GB/s. */
    private static int timedCalls(int floats, double seconds) {
        double guess = 20e-6 + 4.0 * floats / 5e9;
        return (int) Math.max(20, Math.min(3000, seconds / guess));
    }

    private static double lowerQuartile(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 4];
    }
}
