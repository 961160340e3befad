package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reproducible vector primitives for the fused kernels.
 *
 * <p>{@link #exp} is a lane-wise {@code exp} for float vectors built only from IEEE add/mul/fma and integer bit
 * operations, so its result is bitwise reproducible whether the JIT intrinsifies the Vector API
 * or not ({@link VectorOperators#EXP} may use a platform library whose rounding differs from the
 * Java fallback). Relative error is below 2 ulp on [-86, 88.7]; inputs below {@value #LOW} give
 * 0 (results there would be subnormal), inputs above {@value #HIGH} give +infinity, NaN stays NaN.
 * {@link #sumLanes} adds the lanes of a vector in lane order in double (unlike
 * {@code reduceLanes(ADD)}, whose order is unspecified).
 */
final class KernelMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    static final float LOW = -86.0f;
    static final float HIGH = 88.72283f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f; // exact in 9 bits, so n * LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer

    private KernelMath() {
    }

    /** e^x per lane. */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, LOW);
        VectorMask<Float> over = x.compare(VectorOperators.GT, HIGH);
        FloatVector xc = x.max(LOW).min(HIGH);
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND); // round(x / ln 2), in [-124, 128]
        FloatVector r = n.fma(c(-LN2_HI), xc);
        r = n.fma(c(-LN2_LO), r);
        // Taylor polynomial of e^r on |r| <= ln2/2, degree 7, Horner form.
        FloatVector p = c(1f / 5040f).fma(r, c(1f / 720f));
        p = p.fma(r, c(1f / 120f));
        p = p.fma(r, c(1f / 24f));
        p = p.fma(r, c(1f / 6f));
        p = p.fma(r, c(0.5f));
        p = p.fma(r, c(1f));
        p = p.fma(r, c(1f));
        // 2^(n-1) from its bits (valid for n in [-125, 128]), times 2 applied to p (exact).
        IntVector bits = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND)).add(126).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.mul(2f).mul(bits.reinterpretAsFloats());
        return y.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /**
     * The lanes of {@code v} added left to right in float. Unlike {@code reduceLanes(ADD)}, whose order is
     * unspecified (the interpreter and the JIT-compiled intrinsic differ), the result never depends on
     * whether the caller has been compiled yet.
     */
    static float addLanesInOrder(FloatVector v) {
        float s = 0;
        for (int i = 0, n = v.length(); i < n; i++) s += v.lane(i);
        return s;
    }

    /** Sum of the lanes of {@code v} in lane order, in double; {@code lanes} is scratch of length S.length(). */
    static double sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double s = 0;
        for (float f : lanes) s += f;
        return s;
    }
}
