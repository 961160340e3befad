package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class KernelMathTest {
    @Test
    void expIsWithinTwoUlpOfMathExpAndSaturates() {
        int n = KernelMath.S.length();
        float[] in = new float[n], out = new float[n];
        double worst = 0;
        for (float x = -86f; x <= 88.7f; x += 0.0137f) {
            for (int i = 0; i < n; i++) in[i] = x + i * 1e-4f;
            KernelMath.exp(FloatVector.fromArray(KernelMath.S, in, 0)).intoArray(out, 0);
            for (int i = 0; i < n; i++) {
                double exact = Math.exp(in[i]);
                worst = Math.max(worst, Math.abs(out[i] - exact) / Math.ulp((float) exact));
            }
        }
        assertThat(worst).as("max error in ulp").isLessThanOrEqualTo(2.0);
        float[] special = new float[n];
        float[] values = {-1000f, -87f, 89f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0f, -0f};
        for (int i = 0; i < n; i++) special[i] = values[i % values.length];
        KernelMath.exp(FloatVector.fromArray(KernelMath.S, special, 0)).intoArray(out, 0);
        float[] expected = {0f, 0f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, Float.NaN, 1f, 1f};
        for (int i = 0; i < n; i++) assertThat(Float.valueOf(out[i])).as("exp(%s)", special[i]).isEqualTo(Float.valueOf(expected[i % values.length]));
    }
}
