package wanka.data.mix;

import wanka.data.PackedBatches;

import java.util.List;

/**
 * Where a training loop takes its micro-batches from. {@link #get} depends only on (step, micro) and the
 * mixing state, so saving {@link #mixing()} with a checkpoint and {@link #restore restoring} it makes a resumed
 * run draw exactly the batches of an uninterrupted one. Not thread-safe: one training loop owns it.
 */
public interface BatchSource {

    /** The micro-batch for optimizer step {@code step} (0-based) and gradient-accumulation index {@code micro}. */
    MixedBatch get(long step, int micro);

    /** Domain names; index {@code i} is the {@code rowDomain} value {@code i}. */
    List<String> domains();

    /** Total tokens of the data (its identity, checked on resume). */
    long tokens();

    /** The current mixing state (the weights the next step samples with). */
    MixingWeights mixing();

    /** Reports step {@code step}'s mean training loss per domain ({@code NaN}: no rows); may update the weights. */
    void observe(long step, double[] domainLoss);

    /** Replaces the mixing state with one saved by {@link #mixing()} (resume). */
    void restore(MixingWeights state);

    /** The single-domain source of plain packed batches (shards chosen by size); its weights never change. */
    static BatchSource of(PackedBatches batches) {
        return new BatchSource() {
            private final StaticWeights one = new StaticWeights(new double[]{1});

            @Override
            public MixedBatch get(long step, int micro) {
                var b = batches.get(step, micro);
                return new MixedBatch(b, new int[b.batch()]);
            }

            @Override
            public List<String> domains() {
                return List.of("all");
            }

            @Override
            public long tokens() {
                return batches.tokens();
            }

            @Override
            public MixingWeights mixing() {
                return one;
            }

            @Override
            public void observe(long step, double[] domainLoss) {
            }

            @Override
            public void restore(MixingWeights state) {
                if (state.domains() != 1) throw new IllegalArgumentException("mixing state has " + state.domains() + " domains; this data has one");
            }
        };
    }
}
