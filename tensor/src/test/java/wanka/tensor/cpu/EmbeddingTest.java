package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wanka.tensor.cpu.KernelTesting.*;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
    private static CpuPool one;
    private static CpuPool two;

    @BeforeAll
    static void pools() {
        one = CpuPool.ofThreads(1);
        two = CpuPool.ofThreads(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    static double[] refForward(double[] w, int d, int[] ids) {
        double[] out = new double[ids.length * d];
        for (int t = 0; t < ids.length; t++) for (int j = 0; j < d; j++) out[t * d + j] = w[ids[t] * d + j];
        return out;
    }

    static double[] refBackward(double[] dOut, int vocab, int d, int[] ids) {
        double[] dw = new double[vocab * d];
        for (int t = 0; t < ids.length; t++) for (int j = 0; j < d; j++) dw[ids[t] * d + j] += dOut[t * d + j];
        return dw;
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(13);
        int vocab = 4, d = 3;
        int[] ids = {2, 0, 2, 3};
        double[] w = toDouble(uniform(rnd, vocab * d, 1)), probe = toDouble(uniform(rnd, ids.length * d, 1));
        assertClose("dW", refBackward(probe, vocab, d, ids),
                numericGradient(w, 1e-6, ww -> dot(refForward(ww, d, ids), probe)), 1e-8, 1e-9);
    }

    @Test
    void kernelMatchesReferenceOnAllShapes() {
        Random rnd = new Random(14);
        for (int tokens : ROWS) {
            for (int d : WIDTHS) check(rnd, tokens, 11, d);
        }
        check(rnd, 300, 50, 130); // many repeated ids, vocabulary split across threads
    }

    private void check(Random rnd, int tokens, int vocab, int d) {
        float[] w = uniform(rnd, 1 + vocab * d, 1);
        int[] ids = new int[tokens + 2];
        for (int t = 0; t < ids.length; t++) ids[t] = rnd.nextInt(vocab);
        int[] tokenIds = java.util.Arrays.copyOfRange(ids, 2, ids.length);
        float[] dOut = uniform(rnd, tokens * d, 1);
        float[] dw0 = uniform(rnd, vocab * d, 1);
        double[] outRef = refForward(toDouble(RmsNormTest.unshift(w, 1)), d, tokenIds);
        double[] dwRef = refBackward(toDouble(dOut), vocab, d, tokenIds);
        for (int i = 0; i < dwRef.length; i++) dwRef[i] += dw0[i];
        float[][] out = new float[2][], dw = new float[2][];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            out[k] = new float[tokens * d];
            dw[k] = dw0.clone();
            Embedding.forward(pools[k], w, 1, vocab, d, ids, 2, tokens, out[k], 0);
            Embedding.backward(pools[k], dOut, 0, ids, 2, tokens, dw[k], 0, vocab, d);
        }
        String shape = " [" + tokens + " tokens, " + vocab + "x" + d + "]";
        assertClose("out" + shape, out[0], outRef, 0, 0);
        assertClose("dW" + shape, dw[0], dwRef, 1e-6, 1e-6);
        assertThat(out[1]).as("out 1 vs 2 threads" + shape).isEqualTo(out[0]);
        assertThat(dw[1]).as("dW 1 vs 2 threads" + shape).isEqualTo(dw[0]);
    }

    @Test
    void rejectsBadIdsNamingThePosition() {
        float[] w = new float[12];
        assertThatThrownBy(() -> Embedding.forward(one, w, 0, 4, 3, new int[] {0, 1, 7}, 0, 3, new float[9], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 7 at position 2");
        assertThatThrownBy(() -> Embedding.backward(one, new float[3], 0, new int[] {-1}, 0, 1, w, 0, 4, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id -1 at position 0");
    }
}
