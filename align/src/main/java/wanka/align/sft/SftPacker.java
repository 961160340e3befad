package wanka.align.sft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Micro-batches of packed rows: several samples share one row of {@code seq} tokens, one after another, each at RoPE
 * positions 0, 1, … and attending only to itself (segment masking), so a packed row trains exactly as its samples
 * alone would, with less padding. Each epoch takes the samples in {@link SftBatches}' shuffled order and fills rows
 * greedily (a sample that does not fit starts the next row); the rest of a row is padding with target -100 and a
 * segment of its own. Micro-batch {@code k} is rows {@code k·batch … k·batch + batch − 1} of the epochs' rows in turn.
 */
public final class SftPacker implements SftBatchSource {
    private final List<SftSample> samples;
    private final SftBatches order;
    private final int batch, seq, padId;
    private final List<int[]> rows = new ArrayList<>(); // sample indices per row, epochs concatenated
    private long epochsPacked;

    public SftPacker(List<SftSample> samples, int batch, int seq, int padId, long seed) {
        this.order = new SftBatches(samples, batch, seq, padId, seed); // validates lengths
        this.samples = List.copyOf(samples);
        this.batch = batch;
        this.seq = seq;
        this.padId = padId;
    }

    @Override
    public long dataTokens() {
        return order.dataTokens();
    }

    @Override
    public SftBatch get(long k) {
        long need = (k + 1) * batch;
        while (rows.size() < need) packEpoch(epochsPacked++);
        List<List<SftSample>> chosen = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            List<SftSample> row = new ArrayList<>();
            for (int i : rows.get((int) (k * batch + r))) row.add(samples.get(i));
            chosen.add(row);
        }
        return pack(chosen, seq, padId);
    }

    private void packEpoch(long epoch) {
        int[] o = order.order(epoch);
        List<Integer> row = new ArrayList<>();
        int used = 0;
        for (int i : o) {
            int len = samples.get(i).length();
            if (used + len > seq) {
                rows.add(row.stream().mapToInt(Integer::intValue).toArray());
                row.clear();
                used = 0;
            }
            row.add(i);
            used += len;
        }
        if (!row.isEmpty()) rows.add(row.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Lays out the given samples, one list per row, as a packed batch of rows of {@code seq} tokens. */
    public static SftBatch pack(List<List<SftSample>> rowSamples, int seq, int padId) {
        int batch = rowSamples.size();
        int[] inputs = new int[batch * seq], targets = new int[batch * seq], positions = new int[batch * seq], segments = new int[batch * seq];
        Arrays.fill(inputs, padId);
        Arrays.fill(targets, -100);
        int count = 0;
        for (int r = 0; r < batch; r++) {
            int at = r * seq, id = 0;
            for (SftSample s : rowSamples.get(r)) {
                if (at + s.length() > (r + 1) * seq) throw new IllegalArgumentException("row " + r + ": samples exceed " + seq + " tokens");
                System.arraycopy(s.ids(), 0, inputs, at, s.length());
                System.arraycopy(s.targets(), 0, targets, at, s.length());
                for (int t = 0; t < s.length(); t++) {
                    positions[at + t] = t;
                    segments[at + t] = id;
                }
                at += s.length();
                id++;
                count++;
            }
            for (int t = 0; at < (r + 1) * seq; at++, t++) {
                positions[at] = t;
                segments[at] = id;
            }
        }
        return new SftBatch(batch, seq, inputs, targets, positions, segments, count);
    }
}
