package wanka.tensor.cpu;

import java.util.Arrays;

/**
 * Document (segment) masking for packed sequences: several samples share one row, and a token attends only to
 * earlier tokens of its own sample. With segment ids {@code seg[b][t]} the mask is
 * {@code allowed(i, j) = j <= i && seg[b][j] == seg[b][i]} (on top of causality), as varlen flash-attention does with
 * {@code cu_seqlens}. Samples are contiguous, so this is stored as the first position of each token's segment:
 * query {@code i} attends keys {@code start(b, i) <= j <= i}.
 *
 * @param batch  rows
 * @param length positions per row (the key length of the attention call)
 * @param starts {@code starts[b * length + t]}: first position of the segment holding token t
 */
public record AttentionSegments(int batch, int length, int[] starts) {

    public AttentionSegments {
        if (starts.length != Math.multiplyExact(batch, length)) {
            throw new IllegalArgumentException("segment starts hold " + starts.length + " entries, expected batch·length = " + batch * length);
        }
    }

    /**
     * Segments from per-token ids laid out {@code [batch, length]}; a segment is a run of equal ids.
     *
     * @throws IllegalArgumentException if an id comes back after another one in the same row (samples must be contiguous)
     */
    public static AttentionSegments of(int[] ids, int batch, int length) {
        if (ids.length != Math.multiplyExact(batch, length)) {
            throw new IllegalArgumentException("segment ids hold " + ids.length + " entries, expected batch·length = " + batch * length);
        }
        int[] starts = new int[ids.length];
        for (int b = 0; b < batch; b++) {
            int base = b * length, start = 0;
            java.util.Set<Integer> closed = new java.util.HashSet<>();
            for (int t = 0; t < length; t++) {
                if (t > 0 && ids[base + t] != ids[base + t - 1]) {
                    closed.add(ids[base + t - 1]);
                    if (closed.contains(ids[base + t])) {
                        throw new IllegalArgumentException("segment id " + ids[base + t] + " comes back at row " + b + ", position " + t
                                + "; a packed sample's tokens must be contiguous");
                    }
                    start = t;
                }
                starts[base + t] = start;
            }
        }
        return new AttentionSegments(batch, length, starts);
    }

    /** First position of the segment of token {@code t} of row {@code b}. */
    public int start(int b, int t) {
        return starts[b * length + t];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionSegments s && s.batch == batch && s.length == length && Arrays.equals(s.starts, starts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * batch + length) + Arrays.hashCode(starts);
    }

    @Override
    public String toString() {
        return "AttentionSegments[" + batch + "x" + length + "]";
    }
}
