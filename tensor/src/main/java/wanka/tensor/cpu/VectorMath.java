package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Small element-wise helpers on float arrays used by the autograd engine and optimizers. */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    /** a[ao+i] += b[bo+i] for i in [0, n). */
    public static void addInPlace(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(a, ao + i);
        }
        for (; i < n; i++) a[ao + i] += b[bo + i];
    }

    /** out[oo+i] = a[ao+i] + b[bo+i]. */
    public static void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    /** a[ao+i] *= s. */
    public static void scaleInPlace(float[] a, int ao, int n, float s) {
        int i = 0;
        FloatVector sv = FloatVector.broadcast(S, s);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, ao + i).mul(sv).intoArray(a, ao + i);
        }
        for (; i < n; i++) a[ao + i] *= s;
    }
}
