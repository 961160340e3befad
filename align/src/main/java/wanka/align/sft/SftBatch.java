package wanka.align.sft;

/**
 * One micro-batch of SFT rows laid out {@code [batch, seq]}: input ids and next-token targets ({@code -100} where no
 * loss is taken: prompt tokens, padding, each sample's last position).
 *
 * <p>{@code positions} and {@code segments} are null for padded rows (one sample per row, positions 0..seq-1). For
 * packed rows ({@link SftPacker}) they give each token's RoPE position, restarting at 0 for every sample, and the
 * sample it belongs to, so attention stays inside a sample.
 *
 * @param inputs    token ids, batch·seq
 * @param targets   target ids or -100, batch·seq
 * @param positions RoPE position per token, or null
 * @param segments  sample index per token (equal within one sample, contiguous), or null
 * @param samples   samples in the batch (for logging)
 */
public record SftBatch(int batch, int seq, int[] inputs, int[] targets, int[] positions, int[] segments, int samples) {
    public SftBatch {
        if (inputs.length != batch * seq || targets.length != batch * seq) {
            throw new IllegalArgumentException("inputs/targets must hold batch·seq = " + batch * seq + " ids");
        }
        if ((positions == null) != (segments == null)) throw new IllegalArgumentException("positions and segments go together");
        if (positions != null && (positions.length != batch * seq || segments.length != batch * seq)) {
            throw new IllegalArgumentException("positions/segments must hold batch·seq = " + batch * seq + " entries");
        }
    }

    /** Tokens the loss is taken on. */
    public int trainedTokens() {
        int n = 0;
        for (int t : targets) if (t != -100) n++;
        return n;
    }

    /** Whether several samples share a row. */
    public boolean packed() {
        return positions != null;
    }
}
