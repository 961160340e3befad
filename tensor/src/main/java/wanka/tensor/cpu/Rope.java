package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * TeleChat2 rotary position embedding, GPT-NeoX "rotate_half" layout, applied in place:
 * {@code out = x * cos + rotate_half(x) * sin} with {@code rotate_half(x) = cat(-x2, x1)} on the
 * two halves of each head. That is, with {@code h = headDim/2} and {@code i < h}:
 * <pre>
 * out[i]     = x[i] * cos[i]         - x[i+h] * sin[i]
 * out[i + h] = x[i + h] * cos[i + h] + x[i] * sin[i + h]
 * </pre>
 * The buffer is strided: token {@code t} starts at {@code off + t * rowStride} and holds
 * {@code heads} heads {@code headStride} apart, each with {@code headDim} contiguous values. For
 * the K half of TeleChat2's interleaved {@code key_value} rows {@code [k0, v0, k1, v1, ...]} pass
 * {@code headStride = 2 * headDim}; the V parts are not touched. Tokens are processed in parallel.
 */
public final class Rope {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 13; // elements per parallel chunk, at least

    private Rope() {
    }

    /** Rotates token {@code t} at position {@code positions[posOff + t]}. */
    public static void forward(CpuPool pool, RopeTable table, float[] x, int off, int tokens, int rowStride,
                               int heads, int headStride, int[] positions, int posOff) {
        apply(pool, table, x, off, tokens, rowStride, heads, headStride, positions, posOff, 0, false);
    }

    /** Rotates token {@code t} at position {@code startPos + t}. */
    public static void forward(CpuPool pool, RopeTable table, float[] x, int off, int tokens, int rowStride,
                               int heads, int headStride, int startPos) {
        apply(pool, table, x, off, tokens, rowStride, heads, headStride, null, 0, startPos, false);
    }

    /**
     * Backward of {@link #forward(CpuPool, RopeTable, float[], int, int, int, int, int, int[], int)}:
     * replaces the output gradient in {@code dx} by the input gradient (the transposed rotation,
     * {@code dx[i] = dy[i] cos[i] + dy[i+h] sin[i+h]}, {@code dx[i+h] = dy[i+h] cos[i+h] - dy[i] sin[i]}).
     */
    public static void backward(CpuPool pool, RopeTable table, float[] dx, int off, int tokens, int rowStride,
                                int heads, int headStride, int[] positions, int posOff) {
        apply(pool, table, dx, off, tokens, rowStride, heads, headStride, positions, posOff, 0, true);
    }

    /** Backward of {@link #forward(CpuPool, RopeTable, float[], int, int, int, int, int, int)}, in place. */
    public static void backward(CpuPool pool, RopeTable table, float[] dx, int off, int tokens, int rowStride,
                                int heads, int headStride, int startPos) {
        apply(pool, table, dx, off, tokens, rowStride, heads, headStride, null, 0, startPos, true);
    }

    private static void apply(CpuPool pool, RopeTable table, float[] x, int off, int tokens, int rowStride,
                              int heads, int headStride, int[] positions, int posOff, int startPos, boolean transpose) {
        int hd = table.headDim();
        KernelChecks.atLeast("tokens", tokens, 0);
        KernelChecks.atLeast("heads", heads, 1);
        KernelChecks.atLeast("headStride", headStride, hd);
        int rowWidth = (heads - 1) * headStride + hd;
        KernelChecks.rows("x", x, off, tokens, rowWidth, rowStride);
        if (positions != null) {
            KernelChecks.range("positions", positions.length, posOff, tokens);
            for (int t = 0; t < tokens; t++) {
                int p = positions[posOff + t];
                if (p < 0 || p >= table.length()) {
                    throw new IllegalArgumentException("positions[" + (posOff + t) + "] = " + p + " outside the table [0, " + table.length() + ")");
                }
            }
        } else if (startPos < 0 || (long) startPos + tokens > table.length()) {
            throw new IllegalArgumentException("startPos " + startPos + " + tokens " + tokens + " exceeds the table length " + table.length());
        }
        pool.parallelFor(tokens, Math.max(1, WORK_GRAIN / (heads * hd)), (from, to) -> {
            for (int t = from; t < to; t++) {
                int pos = positions != null ? positions[posOff + t] : startPos + t;
                for (int h = 0; h < heads; h++) {
                    rotateHead(table, pos, x, off + t * rowStride + h * headStride, transpose);
                }
            }
        });
    }

    private static void rotateHead(RopeTable table, int pos, float[] x, int xo, boolean transpose) {
        int hd = table.headDim();
        int half = hd / 2;
        float[] cos = table.cos();
        float[] sin = table.sin();
        int to = pos * hd;
        for (int i = 0; i < half; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, half);
            FloatVector x1 = FloatVector.fromArray(S, x, xo + i, m);
            FloatVector x2 = FloatVector.fromArray(S, x, xo + half + i, m);
            FloatVector c1 = FloatVector.fromArray(S, cos, to + i, m);
            FloatVector c2 = FloatVector.fromArray(S, cos, to + half + i, m);
            FloatVector s1 = FloatVector.fromArray(S, sin, to + i, m);
            FloatVector s2 = FloatVector.fromArray(S, sin, to + half + i, m);
            FloatVector y1;
            FloatVector y2;
            if (transpose) {
                y1 = x1.mul(c1).add(x2.mul(s2));
                y2 = x2.mul(c2).sub(x1.mul(s1));
            } else {
                y1 = x1.mul(c1).sub(x2.mul(s1));
                y2 = x2.mul(c2).add(x1.mul(s2));
            }
            y1.intoArray(x, xo + i, m);
            y2.intoArray(x, xo + half + i, m);
        }
    }
}
