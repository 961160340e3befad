package wanka.dist.inproc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import wanka.dist.ReduceOp;
import wanka.dist.Span;

/**
 * The vectorised in-place reductions give, bit for bit, what a scalar loop adding the ranks in order gives
 * ({@code ((x0 + x1) + x2) + …}), at lengths that are not a multiple of the vector width, for every type and op,
 * and through a group whose ranks pass their heap arrays (parts shared by the waiting ranks).
 */
class ReductionOrderTest {
    private static float[][] floats(int ranks, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[ranks][n];
        for (float[] row : x) {
            for (int i = 0; i < n; i++) {
                row[i] = (float) (r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-6, 7))); // wide exponents: order changes the sum
            }
        }
        if (n > 3 && ranks > 1) {
            x[0][3] = -0.0f;
            x[1][3] = 0.0f;
        }
        return x;
    }

    private static float[] reference(float[][] x, boolean sum) {
        float[] out = x[0].clone();
        for (int k = 1; k < x.length; k++) {
            for (int i = 0; i < out.length; i++) {
                out[i] = sum ? out[i] + x[k][i] : Math.max(out[i], x[k][i]);
            }
        }
        return out;
    }

    @Test
    void floatSumAndMaxEqualTheScalarRankOrderLoopBitwise() {
        for (int n : new int[] {1, 15, 16, 17, 1000, 40_003}) {
            float[][] x = floats(3, n, n);
            for (ReduceOp op : ReduceOp.values()) {
                float[][] in = {x[0].clone(), x[1].clone(), x[2].clone()};
                List<MemorySegment> segs = List.of(MemorySegment.ofArray(in[0]), MemorySegment.ofArray(in[1]), MemorySegment.ofArray(in[2]));
                Kernels.reduce(wanka.dist.DataType.FLOAT, op, segs, segs); // in place, every rank's buffer an output
                float[] want = reference(x, op == ReduceOp.SUM);
                for (float[] got : in) {
                    for (int i = 0; i < n; i++) {
                        assertThat(Float.floatToRawIntBits(got[i])).isEqualTo(Float.floatToRawIntBits(want[i]));
                    }
                }
            }
        }
        // the order matters for these inputs, so the check can fail
        float[][] x = floats(3, 1000, 1000);
        float[] reversed = reference(new float[][] {x[2], x[1], x[0]}, true);
        assertThat(reversed).isNotEqualTo(reference(x, true));
    }

    @Test
    void doublesAndLongsEqualTheScalarLoop() {
        int n = 1001;
        SplittableRandom r = new SplittableRandom(7);
        double[][] d = new double[2][n];
        long[][] l = new long[2][n];
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
                d[k][i] = r.nextDouble(-1e6, 1e6);
                l[k][i] = r.nextLong();
            }
        }
        double[] dOut = new double[n];
        long[] lOut = new long[n];
        Kernels.reduce(wanka.dist.DataType.DOUBLE, ReduceOp.SUM, List.of(MemorySegment.ofArray(d[0]), MemorySegment.ofArray(d[1])), List.of(MemorySegment.ofArray(dOut)));
        Kernels.reduce(wanka.dist.DataType.LONG, ReduceOp.MAX, List.of(MemorySegment.ofArray(l[0]), MemorySegment.ofArray(l[1])), List.of(MemorySegment.ofArray(lOut)));
        for (int i = 0; i < n; i++) {
            assertThat(dOut[i]).isEqualTo(d[0][i] + d[1][i]);
            assertThat(lOut[i]).isEqualTo(Math.max(l[0][i], l[1][i]));
        }
    }

    @Test
    void largeAllReduceOfHeapArraysSharedByWaitingRanksEqualsTheReference() {
        int ranks = 3, n = 300_001; // several parts of 32 k elements
        float[][] x = floats(ranks, n, 11);
        float[] want = reference(x, true);
        try (InProcessWorld w = InProcessWorld.create(ranks, java.time.Duration.ofSeconds(10))) {
            List<float[]> got = wanka.dist.Ranks.run(w, g -> {
                float[] mine = x[g.rank()].clone();
                for (int round = 0; round < 5; round++) { // repeated, so parts land on different threads
                    float[] a = round == 4 ? mine : x[g.rank()].clone();
                    g.allReduce(Span.floats(MemorySegment.ofArray(a)));
                    if (round < 4) assertThat(java.util.Arrays.equals(a, want)).as("rank %d round %d", g.rank(), round).isTrue();
                }
                return mine;
            });
            for (float[] g : got) {
                assertThat(java.util.Arrays.equals(g, want)).isTrue();
            }
        }
    }
}
