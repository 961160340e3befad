package wanka.tensor.cpu;

import java.util.Objects;

/**
 * One strided attention operand: the head vector of (batch {@code b}, token {@code t}, head {@code h})
 * is the {@code headDim} contiguous floats starting at
 * {@code offset + b * batchStride + t * tokenStride + h * headStride}.
 *
 * <p>This describes both a projection output {@code [B*S, H*D]} ({@link #contiguous}) and TeleChat2's
 * interleaved {@code key_value} rows {@code [k_0, v_0, k_1, v_1, ...]} ({@link #interleavedKeys},
 * {@link #interleavedValues}). Operands written by a kernel must not overlap one another or
 * themselves.
 *
 * @param data        backing array
 * @param offset      index of (0, 0, 0), {@code >= 0}
 * @param batchStride floats between consecutive sequences, {@code >= 0}
 * @param tokenStride floats between consecutive tokens, {@code >= 0}
 * @param headStride  floats between consecutive heads, {@code >= 0}
 */
public record AttentionOperand(float[] data, int offset, int batchStride, int tokenStride, int headStride) {

    public AttentionOperand {
        Objects.requireNonNull(data, "data");
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        if (batchStride < 0) throw new IllegalArgumentException("batchStride must be >= 0, got " + batchStride);
        if (tokenStride < 0) throw new IllegalArgumentException("tokenStride must be >= 0, got " + tokenStride);
        if (headStride < 0) throw new IllegalArgumentException("headStride must be >= 0, got " + headStride);
    }

    /** A dense {@code [batch, tokens, heads, headDim]} tensor starting at index 0. */
    public static AttentionOperand contiguous(float[] data, int tokens, int heads, int headDim) {
        int row = Math.multiplyExact(heads, headDim);
        return new AttentionOperand(data, 0, Math.multiplyExact(tokens, row), row, headDim);
    }

    /** The keys of a dense interleaved {@code key_value} output {@code [batch, tokens, kvHeads, 2, headDim]}. */
    public static AttentionOperand interleavedKeys(float[] keyValue, int tokens, int kvHeads, int headDim) {
        int row = Math.multiplyExact(2 * kvHeads, headDim);
        return new AttentionOperand(keyValue, 0, Math.multiplyExact(tokens, row), row, 2 * headDim);
    }

    /** The values of a dense interleaved {@code key_value} output {@code [batch, tokens, kvHeads, 2, headDim]}. */
    public static AttentionOperand interleavedValues(float[] keyValue, int tokens, int kvHeads, int headDim) {
        int row = Math.multiplyExact(2 * kvHeads, headDim);
        return new AttentionOperand(keyValue, headDim, Math.multiplyExact(tokens, row), row, 2 * headDim);
    }

    /** Index of element 0 of the head vector of ({@code b}, {@code t}, {@code h}). */
    public int index(int b, int t, int h) {
        return offset + b * batchStride + t * tokenStride + h * headStride;
    }

    /**
     * Checks that {@code batch x tokens x heads} head vectors of {@code headDim} floats fit in {@link #data}.
     *
     * @throws IllegalArgumentException naming {@code name} when the last element lies outside the array
     */
    void checkFits(String name, int batch, int tokens, int heads, int headDim) {
        long last = offset + (long) (batch - 1) * batchStride + (long) (tokens - 1) * tokenStride
                + (long) (heads - 1) * headStride + headDim - 1;
        if (last >= data.length) {
            throw new IllegalArgumentException(name + " needs index " + last + " for " + batch + "x" + tokens + "x"
                    + heads + "x" + headDim + " but its array has length " + data.length);
        }
    }
}
