package wanka.align.select;

/**
 * How {@link Selection} chooses, in order:
 * <ol>
 *   <li>{@code dropIfdAtLeastOne}: drop samples whose IFD ≥ 1 (the instruction does not help, Cherry's rule);</li>
 *   <li>{@code pplLow}–{@code pplHigh}: keep samples whose PPL(A|Q) lies between these percentiles (0–100 keeps all);</li>
 *   <li>{@code clusters} > 0: k-means of the embeddings per category, and only the {@code nearest} samples closest to
 *       each centroid stay candidates (centre selection);</li>
 *   <li>rank the candidates by {@code rankBy} (highest first; null: a random order from {@code seed}) and keep the first
 *       {@code keep} of all samples: a fraction of the dataset when below 1, else a count.</li>
 * </ol>
 */
public record SelectionPlan(Scorer rankBy, double keep, boolean dropIfdAtLeastOne, double pplLow, double pplHigh, int clusters, int nearest, long seed) {
    public SelectionPlan {
        if (!(keep > 0)) throw new IllegalArgumentException("--keep must be > 0 (a fraction below 1, or a count), got " + keep);
        if (!(pplLow >= 0 && pplLow < pplHigh && pplHigh <= 100)) throw new IllegalArgumentException("--ppl-band must be LOW,HIGH percentiles with 0 <= LOW < HIGH <= 100");
        if (clusters < 0) throw new IllegalArgumentException("--clusters must be >= 0 (0 = no clustering), got " + clusters);
        if (clusters > 0 && nearest < 1) throw new IllegalArgumentException("--nearest must be >= 1, got " + nearest);
    }

    /** The number of samples to keep out of {@code total}. */
    public int budget(int total) {
        return keep < 1 ? (int) Math.round(keep * total) : (int) Math.min(total, Math.round(keep));
    }
}
