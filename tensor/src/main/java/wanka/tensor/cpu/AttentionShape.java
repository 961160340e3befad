package wanka.tensor.cpu;

/**
 * Sizes of one causal grouped-query attention call.
 *
 * <p>Query head {@code h} reads key/value head {@code h / (heads / kvHeads)} (consecutive groups, as
 * {@code repeat_kv}). Keys sit at absolute positions {@code 0 .. keyLen-1}; query {@code i} sits at
 * {@code queryStart + i} and attends keys {@code j <= queryStart + i}. Training uses
 * {@code queryLen == keyLen, queryStart == 0}; KV-cache decoding {@code queryLen == 1,
 * queryStart == keyLen - 1}; chunked prefill anything in between.
 *
 * @param batch      number of sequences, {@code >= 1}
 * @param heads      query heads, {@code >= 1}, a multiple of {@code kvHeads}
 * @param kvHeads    key/value heads, {@code >= 1}
 * @param headDim    elements per head vector, {@code >= 1}
 * @param queryLen   queries per sequence, {@code >= 1}
 * @param keyLen     keys per sequence, {@code >= queryStart + queryLen}
 * @param queryStart absolute position of query 0, {@code >= 0}
 * @param scale      factor applied to the dot products before the softmax, finite
 */
public record AttentionShape(int batch, int heads, int kvHeads, int headDim, int queryLen, int keyLen,
                             int queryStart, float scale) {

    public AttentionShape {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (heads < 1) throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        if (kvHeads < 1) throw new IllegalArgumentException("kvHeads must be >= 1, got " + kvHeads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if (headDim < 1) throw new IllegalArgumentException("headDim must be >= 1, got " + headDim);
        if (queryLen < 1) throw new IllegalArgumentException("queryLen must be >= 1, got " + queryLen);
        if (queryStart < 0) throw new IllegalArgumentException("queryStart must be >= 0, got " + queryStart);
        if ((long) queryStart + queryLen > keyLen) {
            throw new IllegalArgumentException("queryStart + queryLen (" + queryStart + " + " + queryLen
                    + ") must be <= keyLen (" + keyLen + ")");
        }
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, got " + scale);
    }

    /** A shape with the standard scale {@code 1 / sqrt(headDim)}. */
    public static AttentionShape causal(int batch, int heads, int kvHeads, int headDim, int queryLen, int keyLen,
                                        int queryStart) {
        if (headDim < 1) throw new IllegalArgumentException("headDim must be >= 1, got " + headDim);
        return new AttentionShape(batch, heads, kvHeads, headDim, queryLen, keyLen, queryStart,
                (float) (1.0 / Math.sqrt(headDim)));
    }

    /** The training shape: {@code seqLen} queries over the same {@code seqLen} keys, standard scale. */
    public static AttentionShape training(int batch, int heads, int kvHeads, int headDim, int seqLen) {
        return causal(batch, heads, kvHeads, headDim, seqLen, seqLen, 0);
    }

    /** Query heads sharing one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Number of floats the {@code lse} array of a forward call must hold: {@code batch * heads * queryLen}. */
    public int lseLength() {
        return Math.multiplyExact(Math.multiplyExact(batch, heads), queryLen);
    }
}
