package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Token embedding lookup over a table {@code W[vocab, d]} (contiguous rows). The backward pass
 * scatter-adds into the table gradient without races: the vocabulary range is split across
 * threads and each thread scans all tokens, adding only its own rows, in token order, so the
 * result is bitwise independent of the thread count.
 */
public final class Embedding {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int WORK_GRAIN = 1 << 14; // elements per parallel chunk, at least

    private Embedding() {
    }

    /** {@code out[t] = W[ids[idOff + t]]} for {@code tokens} tokens; {@code out} is {@code [tokens, d]}. */
    public static void forward(CpuPool pool, float[] w, int wOff, int vocab, int d,
                               int[] ids, int idOff, int tokens, float[] out, int outOff) {
        check(w, "w", wOff, vocab, d, ids, idOff, tokens);
        KernelChecks.rows("out", out, outOff, tokens, d, d);
        pool.parallelFor(tokens, Math.max(1, WORK_GRAIN / d), (from, to) -> {
            for (int t = from; t < to; t++) {
                System.arraycopy(w, wOff + ids[idOff + t] * d, out, outOff + t * d, d);
            }
        });
    }

    /**
     * {@link #forward(CpuPool, float[], int, int, int, int[], int, int, float[], int)} with the table read in place from
     * a segment of little-endian F32 or BF16 ({@code bf16}) elements (row v at byte {@code v*d*elementBytes});
     * BF16 rows are widened exactly to FP32.
     */
    public static void forward(CpuPool pool, java.lang.foreign.MemorySegment w, boolean bf16, int vocab, int d,
                               int[] ids, int idOff, int tokens, float[] out, int outOff) {
        KernelChecks.atLeast("vocab", vocab, 1);
        KernelChecks.atLeast("d", d, 1);
        long rowBytes = (long) d * SegmentLoads.elementBytes(bf16);
        if (w.byteSize() < vocab * rowBytes) {
            throw new IllegalArgumentException("w: " + vocab + "x" + d + (bf16 ? " BF16" : " F32") + " needs " + vocab * rowBytes + " bytes, segment has " + w.byteSize());
        }
        checkIds(ids, idOff, tokens, vocab);
        KernelChecks.rows("out", out, outOff, tokens, d, d);
        pool.parallelFor(tokens, Math.max(1, WORK_GRAIN / d), (from, to) -> {
            for (int t = from; t < to; t++) SegmentLoads.copy(w, ids[idOff + t] * rowBytes, bf16, out, outOff + t * d, d);
        });
    }

    /** ACCUMULATES {@code dW[ids[idOff + t]] += dOut[t]} for every token. */
    public static void backward(CpuPool pool, float[] dOut, int dOff, int[] ids, int idOff, int tokens,
                                float[] dw, int dwOff, int vocab, int d) {
        check(dw, "dw", dwOff, vocab, d, ids, idOff, tokens);
        KernelChecks.rows("dOut", dOut, dOff, tokens, d, d);
        pool.parallelFor(vocab, (v0, v1) -> {
            for (int t = 0; t < tokens; t++) {
                int id = ids[idOff + t];
                if (id < v0 || id >= v1) continue;
                int src = dOff + t * d;
                int dst = dwOff + id * d;
                for (int j = 0; j < d; j += S.length()) {
                    VectorMask<Float> m = S.indexInRange(j, d);
                    FloatVector.fromArray(S, dw, dst + j, m).add(FloatVector.fromArray(S, dOut, src + j, m))
                            .intoArray(dw, dst + j, m);
                }
            }
        });
    }

    private static void check(float[] table, String name, int off, int vocab, int d, int[] ids, int idOff, int tokens) {
        KernelChecks.atLeast("vocab", vocab, 1);
        KernelChecks.atLeast("d", d, 1);
        KernelChecks.atLeast("tokens", tokens, 0);
        KernelChecks.rows(name, table, off, vocab, d, d);
        checkIds(ids, idOff, tokens, vocab);
    }

    private static void checkIds(int[] ids, int idOff, int tokens, int vocab) {
        KernelChecks.atLeast("tokens", tokens, 0);
        KernelChecks.range("ids", ids.length, idOff, tokens);
        for (int t = 0; t < tokens; t++) {
            int id = ids[idOff + t];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + t + " (ids[" + (idOff + t) + "]) outside [0, " + vocab + ")");
            }
        }
    }
}
