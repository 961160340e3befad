package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the tiled float kernels against a naive double-precision reference. */
class AttentionTest {

    // ---------------------------------------------------------------- naive reference (double)

    /** Dense logical tensors: q/out/dOut [B][Sq][H][D], k/v [B][Sk][KV][D], lse [B][H][Sq]. */
    record Forward(double[] out, double[] lse) {
    }

    record Grads(double[] dq, double[] dk, double[] dv) {
    }

    static int qi(AttentionShape s, int b, int i, int h) {
        return ((b * s.queryLen() + i) * s.heads() + h) * s.headDim();
    }

    static int ki(AttentionShape s, int b, int j, int g) {
        return ((b * s.keyLen() + j) * s.kvHeads() + g) * s.headDim();
    }

    /** Full masked probability matrix [Sq][Sk] of (b, h), plus log-sum-exp per query in lse. */
    static double[][] probabilities(AttentionShape s, double[] q, double[] k, int b, int h, double[] lse) {
        return probabilities(s, q, k, b, h, lse, null);
    }

    /** With segment ids {@code seg} ([B][Sk], null: none): key j is visible to query i only in the same segment. */
    static double[][] probabilities(AttentionShape s, double[] q, double[] k, int b, int h, double[] lse, int[] seg) {
        int g = h / (s.heads() / s.kvHeads());
        double[][] p = new double[s.queryLen()][s.keyLen()];
        for (int i = 0; i < s.queryLen(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < s.keyLen(); j++) {
                double dot = 0;
                for (int d = 0; d < s.headDim(); d++) dot += q[qi(s, b, i, h) + d] * k[ki(s, b, j, g) + d];
                boolean visible = j <= s.queryStart() + i
                        && (seg == null || seg[b * s.keyLen() + j] == seg[b * s.keyLen() + s.queryStart() + i]);
                p[i][j] = visible ? dot * s.scale() : Double.NEGATIVE_INFINITY;
                max = Math.max(max, p[i][j]);
            }
            double sum = 0;
            for (int j = 0; j < s.keyLen(); j++) sum += Math.exp(p[i][j] - max);
            for (int j = 0; j < s.keyLen(); j++) p[i][j] = Math.exp(p[i][j] - max) / sum;
            if (lse != null) lse[(b * s.heads() + h) * s.queryLen() + i] = max + Math.log(sum);
        }
        return p;
    }

    static Forward referenceForward(AttentionShape s, double[] q, double[] k, double[] v) {
        return referenceForward(s, q, k, v, null);
    }

    static Forward referenceForward(AttentionShape s, double[] q, double[] k, double[] v, int[] seg) {
        double[] out = new double[q.length];
        double[] lse = new double[s.lseLength()];
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.heads(); h++) {
                int g = h / s.groupSize();
                double[][] p = probabilities(s, q, k, b, h, lse, seg);
                for (int i = 0; i < s.queryLen(); i++) {
                    for (int j = 0; j < s.keyLen(); j++) {
                        for (int d = 0; d < s.headDim(); d++) out[qi(s, b, i, h) + d] += p[i][j] * v[ki(s, b, j, g) + d];
                    }
                }
            }
        }
        return new Forward(out, lse);
    }

    /** Hand-derived: dV = P^T dO, dP = dO V^T, dS = P (dP - rowsum(P dP)), dQ = scale dS K, dK = scale dS^T Q. */
    static Grads referenceBackward(AttentionShape s, double[] q, double[] k, double[] v, double[] dOut) {
        return referenceBackward(s, q, k, v, dOut, null);
    }

    static Grads referenceBackward(AttentionShape s, double[] q, double[] k, double[] v, double[] dOut, int[] seg) {
        double[] dq = new double[q.length], dk = new double[k.length], dv = new double[v.length];
        int dim = s.headDim();
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.heads(); h++) {
                int g = h / s.groupSize();
                double[][] p = probabilities(s, q, k, b, h, null, seg);
                for (int i = 0; i < s.queryLen(); i++) {
                    double[] dp = new double[s.keyLen()];
                    double rowSum = 0;
                    for (int j = 0; j < s.keyLen(); j++) {
                        for (int d = 0; d < dim; d++) dp[j] += dOut[qi(s, b, i, h) + d] * v[ki(s, b, j, g) + d];
                        rowSum += p[i][j] * dp[j];
                    }
                    for (int j = 0; j < s.keyLen(); j++) {
                        double ds = p[i][j] * (dp[j] - rowSum);
                        for (int d = 0; d < dim; d++) {
                            dv[ki(s, b, j, g) + d] += p[i][j] * dOut[qi(s, b, i, h) + d];
                            dq[qi(s, b, i, h) + d] += s.scale() * ds * k[ki(s, b, j, g) + d];
                            dk[ki(s, b, j, g) + d] += s.scale() * ds * q[qi(s, b, i, h) + d];
                        }
                    }
                }
            }
        }
        return new Grads(dq, dk, dv);
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        finiteDifferences(AttentionShape.causal(2, 4, 2, 3, 3, 5, 2), null);
    }

    /** The segment-masked reference backward against central differences of its forward (3 samples in row 0, 2 in row 1). */
    @Test
    void segmentReferenceBackwardMatchesFiniteDifferences() {
        finiteDifferences(AttentionShape.training(2, 4, 2, 3, 7), new int[]{0, 0, 0, 1, 1, 2, 2, 5, 5, 5, 5, 9, 9, 9});
    }

    private static void finiteDifferences(AttentionShape s, int[] seg) {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] q = random(rnd, s.batch() * s.queryLen() * s.heads() * s.headDim(), 1.5);
        double[] k = random(rnd, s.batch() * s.keyLen() * s.kvHeads() * s.headDim(), 1.5);
        double[] v = random(rnd, k.length, 1);
        double[] w = random(rnd, q.length, 1); // loss = sum(out * w), so dOut = w
        Grads g = referenceBackward(s, q, k, v, w, seg);
        double[][] inputs = {q, k, v};
        double[][] grads = {g.dq(), g.dk(), g.dv()};
        double eps = 1e-5;
        for (int t = 0; t < 3; t++) {
            double[] x = inputs[t];
            for (int e = 0; e < x.length; e++) {
                double keep = x[e];
                x[e] = keep + eps;
                double up = loss(s, q, k, v, w, seg);
                x[e] = keep - eps;
                double down = loss(s, q, k, v, w, seg);
                x[e] = keep;
                assertThat(grads[t][e]).as("tensor %d element %d", t, e).isCloseTo((up - down) / (2 * eps),
                        org.assertj.core.data.Offset.offset(1e-7));
            }
        }
        assertThat(Arrays.stream(g.dk()).map(Math::abs).max().orElseThrow()).isGreaterThan(1e-2);
    }

    private static double loss(AttentionShape s, double[] q, double[] k, double[] v, double[] w, int[] seg) {
        double[] out = referenceForward(s, q, k, v, seg).out();
        double sum = 0;
        for (int i = 0; i < out.length; i++) sum += out[i] * w[i];
        return sum;
    }

    // ---------------------------------------------------------------- kernel vs reference

    /**
     * One check: sizes, threads, whether K/V are interleaved in one array with padding, and the
     * magnitude of the queries (large values give sharp softmaxes).
     */
    record Case(int batch, int heads, int kvHeads, int dim, int queryLen, int keyLen, int queryStart,
                int threads, boolean interleaved, double queryScale) {
        AttentionShape shape() {
            return AttentionShape.causal(batch, heads, kvHeads, dim, queryLen, keyLen, queryStart);
        }

        @Override
        public String toString() {
            return "B" + batch + " H" + heads + " KV" + kvHeads + " D" + dim + " Sq" + queryLen + " Sk" + keyLen
                    + " start" + queryStart + " threads" + threads + (interleaved ? " interleaved" : " dense")
                    + (queryScale != 1 ? " qx" + queryScale : "");
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(1, 2, 2, 64, 1, 1, 0, 1, true, 1),
                new Case(3, 2, 2, 64, 2, 2, 0, 2, false, 1),
                new Case(1, 4, 4, 24, 7, 7, 0, 1, true, 1),
                new Case(1, 8, 2, 64, 63, 63, 0, 2, true, 1),
                new Case(3, 8, 2, 64, 64, 64, 0, 2, true, 1),
                new Case(1, 4, 1, 128, 65, 65, 0, 2, true, 1),
                new Case(1, 8, 2, 40, 130, 130, 0, 2, true, 1),
                new Case(3, 4, 1, 24, 130, 130, 0, 1, true, 1),
                new Case(2, 4, 4, 128, 130, 130, 0, 2, true, 1),
                new Case(1, 8, 1, 32, 65, 65, 0, 2, false, 1),
                new Case(1, 6, 2, 24, 7, 7, 0, 1, true, 1),
                new Case(1, 80, 1, 8, 5, 5, 0, 2, true, 1),
                new Case(3, 8, 2, 64, 1, 17, 16, 2, true, 1),
                new Case(1, 4, 1, 128, 1, 130, 129, 1, true, 1),
                new Case(1, 2, 2, 40, 1, 65, 64, 2, false, 1),
                new Case(1, 8, 2, 64, 5, 17, 12, 2, true, 1),
                new Case(3, 4, 1, 24, 5, 17, 5, 2, true, 1),
                new Case(1, 4, 2, 64, 65, 65, 0, 1, true, 30),
                new Case(2, 8, 2, 40, 63, 130, 67, 2, true, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(Case c) {
        check(c, null);
    }

    /** Packed rows: sample lengths per row (each row's lengths sum to the sequence length). */
    record Packed(Case c, int[][] lengths) {
        int[] ids() {
            int[] ids = new int[c.batch() * c.keyLen()];
            int id = 0;
            for (int b = 0; b < c.batch(); b++) {
                int t = 0;
                for (int len : lengths[b]) {
                    Arrays.fill(ids, b * c.keyLen() + t, b * c.keyLen() + t + len, id++);
                    t += len;
                }
                assertThat(t).isEqualTo(c.keyLen());
            }
            return ids;
        }

        @Override
        public String toString() {
            return c + " samples " + Arrays.deepToString(lengths);
        }
    }

    static Stream<Packed> packed() {
        return Stream.of(
                new Packed(new Case(1, 4, 4, 24, 7, 7, 0, 1, true, 1), new int[][]{{3, 4}}),
                new Packed(new Case(2, 4, 2, 16, 9, 9, 0, 2, false, 1), new int[][]{{1, 1, 7}, {9}}),
                // tiles of 32 queries (GQA group 2) straddle sample boundaries; whole key tiles are masked for later samples
                new Packed(new Case(1, 8, 2, 64, 130, 130, 0, 2, true, 1), new int[][]{{70, 30, 30}}),
                new Packed(new Case(2, 4, 1, 24, 130, 130, 0, 1, true, 1), new int[][]{{5, 60, 1, 64}, {129, 1}}),
                new Packed(new Case(1, 2, 2, 40, 200, 200, 0, 2, false, 30), new int[][]{{64, 64, 72}}),
                // decode-style: the queries are the last positions of the row
                new Packed(new Case(1, 8, 2, 64, 5, 17, 12, 2, true, 1), new int[][]{{10, 7}}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packed")
    void segmentMaskingMatchesReference(Packed p) {
        check(p.c(), p.ids());
    }

    private void check(Case c, int[] seg) {
        AttentionShape s = c.shape();
        AttentionSegments segments = seg == null ? null : AttentionSegments.of(seg, s.batch(), s.keyLen());
        SplittableRandom rnd = new SplittableRandom(c.hashCode());
        int qSize = s.batch() * s.queryLen() * s.heads() * s.headDim();
        int kSize = s.batch() * s.keyLen() * s.kvHeads() * s.headDim();
        double[] q = round(random(rnd, qSize, c.queryScale()));
        double[] k = round(random(rnd, kSize, 1));
        double[] v = round(random(rnd, kSize, 1));
        double[] dOut = round(random(rnd, qSize, 1));
        Forward ref = referenceForward(s, q, k, v, seg);
        Grads refGrads = referenceBackward(s, q, k, v, dOut, seg);

        Layout lay = new Layout(s, c.interleaved());
        AttentionOperand qo = lay.queries(5), outO = lay.queries(3), dOutO = lay.queries(1), dqO = lay.queries(2);
        AttentionOperand[] kv = lay.keyValues(), dkv = lay.keyValues();
        pack(q, s, s.queryLen(), s.heads(), qo);
        pack(k, s, s.keyLen(), s.kvHeads(), kv[0]);
        pack(v, s, s.keyLen(), s.kvHeads(), kv[1]);
        pack(dOut, s, s.queryLen(), s.heads(), dOutO);
        float[] lse = new float[s.lseLength() + 2];
        Arrays.fill(lse, Float.NaN);

        try (CpuPool pool = CpuPool.ofThreads(c.threads())) {
            Attention.forward(pool, s, qo, kv[0], kv[1], outO, lse, segments);
            assertClose("out", unpack(outO, s, s.queryLen(), s.heads()), ref.out());
            assertThat(lse[s.lseLength()]).isNaN();
            double[] lseGot = new double[s.lseLength()];
            for (int i = 0; i < lseGot.length; i++) lseGot[i] = lse[i];
            assertClose("lse", lseGot, ref.lse());
            assertUntouchedIsNaN("out", outO, s.queryLen(), s.heads(), s);

            Attention.backward(pool, s, qo, kv[0], kv[1], outO, dOutO, lse, dqO, dkv[0], dkv[1], segments);
        }
        assertClose("dq", unpack(dqO, s, s.queryLen(), s.heads()), refGrads.dq());
        assertClose("dk", unpack(dkv[0], s, s.keyLen(), s.kvHeads()), refGrads.dk());
        assertClose("dv", unpack(dkv[1], s, s.keyLen(), s.kvHeads()), refGrads.dv());
        assertUntouchedIsNaN("dq", dqO, s.queryLen(), s.heads(), s);
        if (c.interleaved()) {
            assertUntouchedIsNaN("dk+dv", new AttentionOperand[]{dkv[0], dkv[1]}, s.keyLen(), s.kvHeads(), s);
        }
    }

    @Test
    void lseIsOptionalAndResultDoesNotDependOnThreads() {
        AttentionShape s = AttentionShape.training(2, 8, 2, 24, 100);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] q = toFloat(random(rnd, 2 * 100 * 8 * 24, 1));
        float[] kv = toFloat(random(rnd, 2 * 100 * 2 * 2 * 24, 1));
        AttentionOperand k = AttentionOperand.interleavedKeys(kv, 100, 2, 24);
        AttentionOperand v = AttentionOperand.interleavedValues(kv, 100, 2, 24);
        float[] one = new float[q.length], two = new float[q.length];
        try (CpuPool p1 = CpuPool.ofThreads(1); CpuPool p2 = CpuPool.ofThreads(2)) {
            Attention.forward(p1, s, AttentionOperand.contiguous(q, 100, 8, 24), k, v,
                    AttentionOperand.contiguous(one, 100, 8, 24), new float[s.lseLength()]);
            Attention.forward(p2, s, AttentionOperand.contiguous(q, 100, 8, 24), k, v,
                    AttentionOperand.contiguous(two, 100, 8, 24), null);
        }
        assertThat(two).containsExactly(one);
    }

    @Test
    void segmentsMustBeContiguousAndCoverTheKeys() {
        assertThatThrownBy(() -> AttentionSegments.of(new int[]{0, 0, 1, 0}, 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comes back at row 0, position 3");
        assertThat(AttentionSegments.of(new int[]{4, 4, 1, 1, 1, 7}, 2, 3).starts()).containsExactly(0, 0, 2, 0, 0, 2);
        AttentionShape s = AttentionShape.training(1, 2, 2, 8, 4);
        float[] q = new float[4 * 16];
        AttentionOperand o = AttentionOperand.contiguous(q, 4, 2, 8);
        assertThatThrownBy(() -> Attention.forward(CpuPool.ofThreads(1), s, o, o, o, AttentionOperand.contiguous(new float[64], 4, 2, 8), null,
                AttentionSegments.of(new int[]{0, 0, 1}, 1, 3))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segments cover 1x3");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> AttentionShape.causal(1, 6, 4, 8, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvHeads");
        assertThatThrownBy(() -> AttentionShape.causal(1, 4, 2, 8, 4, 8, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyLen");
        assertThatThrownBy(() -> AttentionShape.causal(1, 4, 2, 0, 4, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headDim");
        assertThatThrownBy(() -> new AttentionOperand(new float[4], -1, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
        AttentionShape s = AttentionShape.training(1, 2, 1, 4, 3);
        AttentionOperand q = AttentionOperand.contiguous(new float[24], 3, 2, 4);
        AttentionOperand kv = AttentionOperand.contiguous(new float[12], 3, 1, 4);
        AttentionOperand shortOut = AttentionOperand.contiguous(new float[23], 3, 2, 4);
        try (CpuPool pool = CpuPool.ofThreads(1)) {
            assertThatThrownBy(() -> Attention.forward(pool, s, q, kv, kv, shortOut, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out");
            assertThatThrownBy(() -> Attention.forward(pool, s, q, kv, kv, q, new float[5]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lse");
            assertThatThrownBy(() -> Attention.backward(pool, s, q, kv, kv, q, q, null, q, kv, kv))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("lse");
        }
    }

    // ---------------------------------------------------------------- layouts and helpers

    /** Padded strided layouts: queries [B][S][H*D + pad], key/values either interleaved or two dense arrays. */
    private record Layout(AttentionShape s, boolean interleaved) {
        AttentionOperand queries(int pad) {
            int token = s.heads() * s.headDim() + pad;
            int batch = s.queryLen() * token + 2 * pad;
            float[] data = new float[pad + s.batch() * batch];
            Arrays.fill(data, Float.NaN);
            return new AttentionOperand(data, pad, batch, token, s.headDim());
        }

        AttentionOperand[] keyValues() {
            int d = s.headDim();
            if (!interleaved) {
                float[] kd = new float[s.batch() * s.keyLen() * s.kvHeads() * d];
                float[] vd = new float[kd.length];
                Arrays.fill(kd, Float.NaN);
                Arrays.fill(vd, Float.NaN);
                return new AttentionOperand[]{AttentionOperand.contiguous(kd, s.keyLen(), s.kvHeads(), d),
                        AttentionOperand.contiguous(vd, s.keyLen(), s.kvHeads(), d)};
            }
            int token = s.kvHeads() * 2 * d + 3;
            int batch = s.keyLen() * token + 5;
            int offset = 7;
            float[] data = new float[offset + s.batch() * batch];
            Arrays.fill(data, Float.NaN);
            return new AttentionOperand[]{new AttentionOperand(data, offset, batch, token, 2 * d),
                    new AttentionOperand(data, offset + d, batch, token, 2 * d)};
        }
    }

    private static void pack(double[] x, AttentionShape s, int tokens, int heads, AttentionOperand o) {
        int d = s.headDim();
        for (int b = 0; b < s.batch(); b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int e = 0; e < d; e++) o.data()[o.index(b, t, h) + e] = (float) x[((b * tokens + t) * heads + h) * d + e];
                }
            }
        }
    }

    private static double[] unpack(AttentionOperand o, AttentionShape s, int tokens, int heads) {
        int d = s.headDim();
        double[] x = new double[s.batch() * tokens * heads * d];
        for (int b = 0; b < s.batch(); b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int e = 0; e < d; e++) x[((b * tokens + t) * heads + h) * d + e] = o.data()[o.index(b, t, h) + e];
                }
            }
        }
        return x;
    }

    private static void assertUntouchedIsNaN(String name, AttentionOperand o, int tokens, int heads, AttentionShape s) {
        assertUntouchedIsNaN(name, new AttentionOperand[]{o}, tokens, heads, s);
    }

    /** Every element outside the operands' head vectors still holds the NaN it was filled with. */
    private static void assertUntouchedIsNaN(String name, AttentionOperand[] ops, int tokens, int heads, AttentionShape s) {
        float[] data = ops[0].data();
        boolean[] covered = new boolean[data.length];
        for (AttentionOperand o : ops) {
            for (int b = 0; b < s.batch(); b++) {
                for (int t = 0; t < tokens; t++) {
                    for (int h = 0; h < heads; h++) Arrays.fill(covered, o.index(b, t, h), o.index(b, t, h) + s.headDim(), true);
                }
            }
        }
        for (int i = 0; i < data.length; i++) {
            if (!covered[i]) assertThat(data[i]).as("%s padding at %d", name, i).isNaN();
        }
    }

    /** Max error relative to the tensor's largest reference magnitude (at least 1). */
    private static void assertClose(String name, double[] got, double[] want) {
        double scale = 1, err = 0;
        int worst = -1;
        for (double w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < got.length; i++) {
            double e = Math.abs(got[i] - want[i]);
            if (!(e <= err)) {
                err = e;
                worst = i;
            }
        }
        assertThat(err / scale).as("%s: worst element %d got %s want %s", name, worst,
                worst < 0 ? "" : got[worst], worst < 0 ? "" : want[worst]).isLessThan(2e-5);
    }

    private static double[] random(SplittableRandom rnd, int n, double scale) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (rnd.nextDouble() * 2 - 1) * scale;
        return x;
    }

    /** Rounds to float so the reference sees exactly the kernel's inputs. */
    private static double[] round(double[] x) {
        for (int i = 0; i < x.length; i++) x[i] = (float) x[i];
        return x;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
