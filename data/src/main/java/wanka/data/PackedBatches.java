package wanka.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples training windows of {@code seq + 1} tokens from packed shards. The window for
 * (step, micro-batch, row) depends only on the seed and those indices, never on what was sampled before,
 * so a resumed run sees exactly the batches an uninterrupted run would (the loader's state is the step).
 * Shards are chosen in proportion to their size.
 */
public final class PackedBatches {
    private final List<TokenShard> shards;
    private final long[] cumulative; // cumulative count of window start positions per shard
    private final int batch;
    private final int seq;
    private final long seed;

    public PackedBatches(List<TokenShard> shards, int batch, int seq, long seed) {
        if (shards.isEmpty()) throw new IllegalArgumentException("no token shards given");
        this.shards = List.copyOf(shards);
        this.batch = batch;
        this.seq = seq;
        this.seed = seed;
        this.cumulative = new long[shards.size()];
        long acc = 0;
        for (int i = 0; i < shards.size(); i++) {
            long starts = Math.max(0, shards.get(i).size() - seq);
            acc += starts;
            cumulative[i] = acc;
        }
        if (acc == 0) {
            throw new IllegalArgumentException("the token shards hold fewer than seq+1 = " + (seq + 1) + " tokens each ("
                    + shards.getFirst().path() + " has " + shards.getFirst().size() + "); use a shorter --seq or more data");
        }
    }

    /** Total tokens across shards. */
    public long tokens() {
        return shards.stream().mapToLong(TokenShard::size).sum();
    }

    /** The micro-batch for optimizer step {@code step} and gradient-accumulation index {@code micro}. */
    public Batch get(long step, int micro) {
        int[] in = new int[batch * seq];
        int[] tg = new int[batch * seq];
        int[] window = new int[seq + 1];
        long total = cumulative[cumulative.length - 1];
        for (int r = 0; r < batch; r++) {
            long key = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + micro * 0x94D049BB133111EBL + r;
            long pick = new SplittableRandom(key).nextLong(total);
            int s = 0;
            while (pick >= cumulative[s]) s++;
            long start = pick - (s == 0 ? 0 : cumulative[s - 1]);
            shards.get(s).read(start, window, 0, seq + 1);
            System.arraycopy(window, 0, in, r * seq, seq);
            System.arraycopy(window, 1, tg, r * seq, seq);
        }
        return new Batch(in, tg, batch, seq);
    }
}
