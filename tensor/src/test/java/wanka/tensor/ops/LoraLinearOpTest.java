package wanka.tensor.ops;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.Backward;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused LoRA projection against the same sum of separate ops (linear, linear, linear, scale, add): equal outputs and
 * gradients of x, W, bias, A and B (with x as the adapter's input and with a separate adapter input), and fewer live
 * bytes kept for backward.
 */
class LoraLinearOpTest {
    private static CpuDevice cpu;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private static Tensor random(Random r, float sigma, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = sigma * (float) r.nextGaussian();
        return Tensor.wrap(cpu, v, dims);
    }

    /** x [2, 7, 24], W [40, 24], bias [40], A [3, 24], B [40, 3]; returns {y, x, W, bias, A, B} after backward of dy. */
    private static List<float[]> run(boolean fused, boolean separateAdapterInput, boolean baseTrains) {
        Random r = new Random(3);
        Tensor x = random(r, 1f, 2, 7, 24).requiresGrad(true);
        Tensor w = random(r, 0.2f, 40, 24).requiresGrad(baseTrains), bias = random(r, 0.1f, 40).requiresGrad(baseTrains);
        Tensor a = random(r, 0.2f, 3, 24).requiresGrad(true), b = random(r, 0.3f, 40, 3).requiresGrad(true);
        Tensor dy = random(r, 1f, 2, 7, 40);
        Tensor h = Ops.scale(x, 1.5f); // an upstream op, so x's gradient flows through two paths when xd != x
        Tensor xd = separateAdapterInput ? Ops.scale(h, 0.7f) : h;
        float s = 2.5f;
        long before = cpu.memory().liveBytes();
        Tensor y = fused ? Ops.loraLinear(h, xd, w, bias, a, b, s) : Ops.add(Ops.linear(h, w, bias), Ops.scale(Ops.linear(Ops.linear(xd, a, null), b, null), s));
        long kept = cpu.memory().liveBytes() - before;
        float[] out = y.toArray();
        Backward.run(y, dy);
        return List.of(out, x.grad().toArray(), baseTrains ? w.grad().toArray() : new float[0], baseTrains ? bias.grad().toArray() : new float[0],
                a.grad().toArray(), b.grad().toArray(), new float[]{kept});
    }

    @Test
    void fusedEqualsComposedOpsAndKeepsLessForBackward() {
        String[] names = {"y", "dx", "dW", "dbias", "dA", "dB"};
        for (boolean separate : new boolean[]{false, true}) {
            for (boolean baseTrains : new boolean[]{false, true}) {
                List<float[]> f = run(true, separate, baseTrains), c = run(false, separate, baseTrains);
                for (int k = 0; k < names.length; k++) {
                    float[] got = f.get(k), want = c.get(k);
                    assertThat(got).as(names[k]).hasSize(want.length);
                    double scale = 1e-6;
                    for (float v : want) scale = Math.max(scale, Math.abs(v));
                    for (int i = 0; i < got.length; i++) {
                        assertThat((double) Math.abs(got[i] - want[i])).as("%s[%d] (separate input %s, base trains %s)", names[k], i, separate, baseTrains)
                                .isLessThanOrEqualTo(1e-5 * scale);
                    }
                }
                if (baseTrains) assertThat(f.get(2)).as("dW not all zero").isNotEqualTo(new float[f.get(2).length]);
                // composed: base output, A's, B's, the scaled copy and the sum; fused: the output and A's [rows, r]
                assertThat(f.get(6)[0]).as("bytes kept for backward").isEqualTo(4f * 14 * (40 + 3));
                assertThat(c.get(6)[0]).isEqualTo(4f * 14 * (4 * 40 + 3));
            }
        }
    }
}
