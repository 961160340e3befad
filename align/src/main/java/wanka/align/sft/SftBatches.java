package wanka.align.sft;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Micro-batches of padded rows over an SFT dataset: each epoch visits the samples in an order shuffled from
 * {@code seed} and the epoch number, {@code batch} samples per micro-batch; a sample fills the start of its row and
 * the rest is {@code padId} with target -100 (after the sample under causal attention, so it changes nothing).
 * Micro-batch {@code k} depends only on the seed and {@code k}, so a run can be repeated or resumed exactly.
 */
public final class SftBatches implements SftBatchSource {
    private final List<SftSample> samples;
    private final int batch, seq, padId;
    private final long seed;

    public SftBatches(List<SftSample> samples, int batch, int seq, int padId, long seed) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no SFT samples to train on");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        for (SftSample s : samples) {
            if (s.length() > seq) throw new IllegalArgumentException(s.file() + ":" + s.line() + ": " + s.length() + " tokens do not fit --seq " + seq);
        }
        this.samples = List.copyOf(samples);
        this.batch = batch;
        this.seq = seq;
        this.padId = padId;
        this.seed = seed;
    }

    @Override
    public long dataTokens() {
        return samples.stream().mapToLong(SftSample::length).sum();
    }

    /** Micro-batch number {@code k} (0-based, over all epochs). */
    public SftBatch get(long k) {
        int n = samples.size();
        int[] inputs = new int[batch * seq], targets = new int[batch * seq];
        Arrays.fill(inputs, padId);
        Arrays.fill(targets, -100);
        for (int r = 0; r < batch; r++) {
            long global = k * batch + r;
            SftSample s = samples.get(order(global / n)[(int) (global % n)]);
            System.arraycopy(s.ids(), 0, inputs, r * seq, s.length());
            System.arraycopy(s.targets(), 0, targets, r * seq, s.length());
        }
        return new SftBatch(batch, seq, inputs, targets, null, null, batch);
    }

    /** The given samples, one per padded row of {@code seq} tokens, in order. */
    public static SftBatch rows(List<SftSample> samples, int seq, int padId) {
        int batch = samples.size();
        int[] inputs = new int[batch * seq], targets = new int[batch * seq];
        Arrays.fill(inputs, padId);
        Arrays.fill(targets, -100);
        for (int r = 0; r < batch; r++) {
            SftSample s = samples.get(r);
            System.arraycopy(s.ids(), 0, inputs, r * seq, s.length());
            System.arraycopy(s.targets(), 0, targets, r * seq, s.length());
        }
        return new SftBatch(batch, seq, inputs, targets, null, null, batch);
    }

    /** Sample order of one epoch: a Fisher–Yates shuffle seeded by (seed, epoch). */
    int[] order(long epoch) {
        int n = samples.size();
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    public int batch() {
        return batch;
    }

    public int seq() {
        return seq;
    }
}
