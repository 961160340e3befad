package wanka.data.mix;

import wanka.data.Batch;
import wanka.data.TokenShard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples micro-batches over domains. Row {@code r} of micro-batch (step, micro) draws a uniform number that
 * picks its domain by the current {@link MixingWeights}, then a window of {@code seq + 1} tokens uniformly
 * among that domain's window starts (shards weighted by size). Both draws come from a generator seeded by
 * (seed, step, micro, row) alone, so the batch is a function of those indices and the weights: restoring
 * the weights on resume continues bitwise identically. Rows are returned grouped by domain, in domain order.
 */
public final class DomainMixture implements BatchSource {
    private final List<Domain> domains;
    private final long[][] cumulative; // per domain: cumulative window starts per shard
    private final int batch;
    private final int seq;
    private final long seed;
    private MixingWeights mixing;

    public DomainMixture(List<Domain> domains, int batch, int seq, long seed, MixingWeights initial) {
        if (domains.isEmpty()) throw new IllegalArgumentException("no domains given");
        if (batch < 1 || seq < 1) throw new IllegalArgumentException("batch and seq must be >= 1");
        this.domains = List.copyOf(domains);
        this.batch = batch;
        this.seq = seq;
        this.seed = seed;
        this.cumulative = new long[domains.size()][];
        for (int d = 0; d < domains.size(); d++) {
            List<TokenShard> shards = domains.get(d).shards();
            long[] c = new long[shards.size()];
            long acc = 0;
            for (int s = 0; s < shards.size(); s++) c[s] = acc += Math.max(0, shards.get(s).size() - seq);
            if (acc == 0) {
                throw new IllegalArgumentException("domain '" + domains.get(d).name() + "' has no shard with seq+1 = " + (seq + 1) + " tokens; use a shorter seq or more data");
            }
            cumulative[d] = c;
        }
        restore(initial);
    }

    @Override
    public MixedBatch get(long step, int micro) {
        double[] w = mixing.weights();
        int k = domains.size();
        int[] rowDomain = new int[batch];
        long[] rowStart = new long[batch];
        int[] rowShard = new int[batch];
        for (int r = 0; r < batch; r++) {
            long key = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + micro * 0x94D049BB133111EBL + r;
            SplittableRandom rnd = new SplittableRandom(key ^ 0x6A09E667F3BCC909L);
            int d = pick(w, rnd.nextDouble());
            long[] c = cumulative[d];
            long pick = rnd.nextLong(c[c.length - 1]);
            int s = 0;
            while (pick >= c[s]) s++;
            rowDomain[r] = d;
            rowShard[r] = s;
            rowStart[r] = pick - (s == 0 ? 0 : c[s - 1]);
        }
        int[] in = new int[batch * seq], tg = new int[batch * seq], window = new int[seq + 1], sortedDomain = new int[batch];
        int out = 0;
        for (int d = 0; d < k; d++) {
            for (int r = 0; r < batch; r++) {
                if (rowDomain[r] != d) continue;
                domains.get(d).shards().get(rowShard[r]).read(rowStart[r], window, 0, seq + 1);
                System.arraycopy(window, 0, in, out * seq, seq);
                System.arraycopy(window, 1, tg, out * seq, seq);
                sortedDomain[out++] = d;
            }
        }
        return new MixedBatch(new Batch(in, tg, batch, seq), sortedDomain);
    }

    /** The first domain whose cumulative weight exceeds {@code u}, skipping zero-weight domains. */
    static int pick(double[] w, double u) {
        double acc = 0;
        int last = -1;
        for (int i = 0; i < w.length; i++) {
            if (w[i] <= 0) continue;
            last = i;
            acc += w[i];
            if (u < acc) return i;
        }
        return last; // rounding: u within 1e-16 of the total
    }

    @Override
    public List<String> domains() {
        List<String> names = new ArrayList<>();
        for (Domain d : domains) names.add(d.name());
        return names;
    }

    /** Tokens per domain, in domain order (for {@link StaticWeights#proportional}). */
    public long[] domainTokens() {
        return domains.stream().mapToLong(Domain::tokens).toArray();
    }

    @Override
    public long tokens() {
        return Arrays.stream(domainTokens()).sum();
    }

    @Override
    public MixingWeights mixing() {
        return mixing;
    }

    @Override
    public void observe(long step, double[] domainLoss) {
        mixing = mixing.observe(domainLoss);
    }

    @Override
    public void restore(MixingWeights state) {
        if (state.domains() != domains.size()) {
            throw new IllegalArgumentException("mixing state has " + state.domains() + " domains; the data has " + domains.size() + " " + domains());
        }
        this.mixing = state;
    }
}
