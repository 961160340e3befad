package wanka.tensor.cpu;

/**
 * Rotary-embedding tables: {@code cos[pos * headDim + i]} and {@code sin[pos * headDim + i]} for
 * positions {@code [0, length)}, laid out like TeleChat2's {@code emb = cat(freqs, freqs)}, so
 * entries {@code i} and {@code i + headDim/2} are equal.
 *
 * @param headDim rotary dimension (even)
 * @param length  number of positions
 * @param cos     {@code [length, headDim]}, already multiplied by mscale
 * @param sin     {@code [length, headDim]}, already multiplied by mscale
 */
public record RopeTable(int headDim, int length, float[] cos, float[] sin) {

    /** Validates the shapes. */
    public RopeTable {
        if (headDim < 2 || headDim % 2 != 0) throw new IllegalArgumentException("headDim must be even and >= 2, got " + headDim);
        if (length < 0) throw new IllegalArgumentException("length must be >= 0, got " + length);
        long size = (long) headDim * length;
        if (cos == null || cos.length != size) throw new IllegalArgumentException("cos must have length headDim*length = " + size);
        if (sin == null || sin.length != size) throw new IllegalArgumentException("sin must have length headDim*length = " + size);
    }

    /**
     * TeleChat2's RoPE with dynamic NTK scaling and mscale ({@code RotaryEmbedding} in the
     * reference modeling code) for positions {@code [0, totalLen)}:
     * <pre>
     * seq_len   = max(totalLen, trainingSeqlen)
     * ntk_alpha = max(2^ceil(log2(seq_len / baseSeqlen) + 1) - 1, 1)
     * mscale    = seq_len / trainingSeqlen &lt;= 1 ? 1 : 0.1 * ln(seq_len / trainingSeqlen) + 1
     * base'     = base * ntk_alpha^(dim / (dim - 2))
     * inv_freq  = 1 / base'^(2i / dim),  emb = cat(pos * inv_freq, pos * inv_freq)
     * cos, sin  = mscale * cos(emb), mscale * sin(emb)
     * </pre>
     * Unlike the reference, which builds the table in fp32 and rounds it to fp16 before applying
     * mscale, every value here is computed in double and rounded once to float: we train in FP32,
     * and the fp16 rounding (relative error up to 5e-4) would only add noise.
     */
    public static RopeTable telechat2(int headDim, int totalLen, int trainingSeqlen, int baseSeqlen, double base) {
        if (headDim < 4 || headDim % 2 != 0) throw new IllegalArgumentException("headDim must be even and >= 4, got " + headDim);
        if (!(base > 0)) throw new IllegalArgumentException("base must be > 0, got " + base);
        double scaledBase = ntkBase(headDim, totalLen, trainingSeqlen, baseSeqlen, base);
        double mscale = mscale(totalLen, trainingSeqlen);
        int half = headDim / 2;
        float[] cos = new float[Math.multiplyExact(headDim, totalLen)];
        float[] sin = new float[cos.length];
        double[] invFreq = new double[half];
        for (int i = 0; i < half; i++) invFreq[i] = 1.0 / Math.pow(scaledBase, (2.0 * i) / headDim);
        for (int p = 0; p < totalLen; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * invFreq[i];
                float c = (float) (mscale * Math.cos(angle));
                float s = (float) (mscale * Math.sin(angle));
                int at = p * headDim + i;
                cos[at] = c;
                cos[at + half] = c;
                sin[at] = s;
                sin[at + half] = s;
            }
        }
        return new RopeTable(headDim, totalLen, cos, sin);
    }

    /** {@code ntk_alpha = max(2^ceil(log2(seq_len / baseSeqlen) + 1) - 1, 1)}, {@code seq_len = max(totalLen, trainingSeqlen)}. */
    public static long ntkAlpha(int totalLen, int trainingSeqlen, int baseSeqlen) {
        checkLengths(totalLen, trainingSeqlen, baseSeqlen);
        double seqLen = Math.max(totalLen, trainingSeqlen);
        double contextValue = Math.log(seqLen / baseSeqlen) / Math.log(2) + 1; // as Python's math.log(x, 2)
        return Math.max((long) Math.pow(2, Math.ceil(contextValue)) - 1, 1);
    }

    /** The NTK-scaled base {@code base * ntk_alpha^(headDim / (headDim - 2))}. */
    public static double ntkBase(int headDim, int totalLen, int trainingSeqlen, int baseSeqlen, double base) {
        return base * Math.pow(ntkAlpha(totalLen, trainingSeqlen, baseSeqlen), (double) headDim / (headDim - 2));
    }

    /** {@code 1} up to {@code trainingSeqlen}, else {@code 0.1 * ln(totalLen / trainingSeqlen) + 1}. */
    public static double mscale(int totalLen, int trainingSeqlen) {
        checkLengths(totalLen, trainingSeqlen, 1);
        double ratio = (double) Math.max(totalLen, trainingSeqlen) / trainingSeqlen;
        return ratio <= 1 ? 1.0 : 0.1 * Math.log(ratio) + 1.0;
    }

    private static void checkLengths(int totalLen, int trainingSeqlen, int baseSeqlen) {
        if (totalLen < 0) throw new IllegalArgumentException("totalLen must be >= 0, got " + totalLen);
        if (trainingSeqlen < 1) throw new IllegalArgumentException("trainingSeqlen must be >= 1, got " + trainingSeqlen);
        if (baseSeqlen < 1) throw new IllegalArgumentException("baseSeqlen must be >= 1, got " + baseSeqlen);
    }
}
