package wanka.bench.tensor;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FMA rate one core gives Java right now: twelve independent chains of {@code a·b + c} on the preferred float
 * vectors (registers only, no memory), the way the GEMM micro-kernel's accumulators run. On these shared machines a
 * core can lose a sixth of its rate to a neighbour for minutes (8 lanes: 94–97 GFLOP/s on one core against 112–115 on
 * the other, 2026-12-03), which moves two-thread GEMM ratios by more than their targets' margin; {@code
 * scripts/bench.sh} prints this rate for every core (pinned with {@code taskset}) before and after its GEMM rounds,
 * so that a table shows whether its cores were equal.
 */
public final class FmaPeak {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: more than the FMA pipes' latency × count on the cores measured (8 fall short on Zen 5). */
    static final int CHAINS = 12;
    /** Warm-up calls (at least) and their steps: enough invocations and loop turns for C2's thresholds. */
    static final int WARM_CALLS = 20_000, WARM_STEPS = 10;

    /** A measured rate: the best batch's GFLOP/s with {@code lanes} floats per vector. */
    public record Result(int lanes, double gflops) {
        /** One JSON object on a line. */
        public String json() {
            return String.format(Locale.ROOT, "{\"impl\":\"wanka\",\"bench\":\"fma\",\"lanes\":%d,\"chains\":%d,\"gflops\":%.1f}",
                    lanes, CHAINS, gflops);
        }
    }

    private FmaPeak() {
    }

    /**
     * Runs batches of the loop for about {@code seconds} and keeps the best, after a warm-up of at least the same
     * length and {@link #WARM_CALLS} short calls.
     */
    public static Result measure(double seconds) {
        if (!(seconds > 0)) throw new IllegalArgumentException("seconds must be > 0, got " + seconds);
        float[] sink = new float[S.length()];
        long budget = (long) (seconds * 1e9);
        // Warm-up in short calls: C2 compiles the method after enough of them, and only C2 keeps vectors in registers.
        // (One long call per phase, as before, took 0.4 s before it was compiled, longer than a 0.3 s phase: a run on
        // a pinned core then measured the slow code, 0.2 GFLOP/s, 2026-12-03.)
        long end = System.nanoTime() + budget;
        for (int i = 0; i < WARM_CALLS || System.nanoTime() < end; i++) chains(WARM_STEPS, sink);
        int steps = 200_000;
        double best = 0;
        end = System.nanoTime() + budget;
        do {
            long t0 = System.nanoTime();
            chains(steps, sink);
            best = Math.max(best, 2.0 * CHAINS * S.length() * steps / (System.nanoTime() - t0));
        } while (System.nanoTime() < end);
        if (sink[0] == 12345.678f) System.out.print(""); // keeps the loop's result live
        return new Result(S.length(), best);
    }

    /** {@code steps} rounds of one FMA on each of the twelve chains; the sum of the chains goes to {@code out}. */
    private static void chains(int steps, float[] out) {
        FloatVector a = FloatVector.broadcast(S, 1.0000001f), b = FloatVector.broadcast(S, 0.9999999f);
        // Twelve locals written out, as in GemmKernel: an array of vectors would be boxed, not kept in registers.
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < steps; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).intoArray(out, 0);
    }
}
