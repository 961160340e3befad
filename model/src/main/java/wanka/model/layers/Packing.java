package wanka.model.layers;

/**
 * Several samples packed into each row of a {@code [batch, seq]} input: each token's RoPE position (restarting at 0
 * for every sample) and its sample id (contiguous within a row). Attention is restricted to a token's own sample
 * (segment masking), so a packed row computes exactly what its samples compute alone.
 *
 * @param positions position of token t of row b at {@code [b·seq + t]}
 * @param segments  sample id of token t of row b at {@code [b·seq + t]}
 */
public record Packing(int[] positions, int[] segments) {
    public Packing {
        if (positions.length != segments.length) {
            throw new IllegalArgumentException(positions.length + " positions but " + segments.length + " segment ids");
        }
    }
}
