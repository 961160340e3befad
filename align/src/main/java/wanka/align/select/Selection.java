package wanka.align.select;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Combines the scores, the clustering and centre selection into one decision per sample ({@link SelectionPlan} gives
 * the steps). Every sample gets a {@link Decision} with the reason it was kept or dropped.
 *
 * @param decisions  in sample order
 * @param clustering null without clustering
 */
public record Selection(List<Decision> decisions, Clustering clustering, List<Integer> clustered) {

    /**
     * @param stats      per sample index, as scored
     * @param embeddings per sample (position = index), or null without clustering
     */
    public static Selection of(List<SelectionSample> samples, Map<Long, AnswerStats> stats, double[][] embeddings, SelectionPlan plan) {
        int n = samples.size();
        String[] dropped = new String[n];
        double[] score = new double[n];
        Arrays.fill(score, Double.NaN);
        for (int i = 0; i < n; i++) {
            if (!stats.containsKey(samples.get(i).index())) throw new IllegalArgumentException("sample " + samples.get(i).index() + " has no score; run the scoring pass first");
        }
        Scorer ifd = new Scorer.Ifd(), ppl = new Scorer.Ppl();
        if (plan.dropIfdAtLeastOne()) {
            for (int i = 0; i < n; i++) {
                double v = ifd.value(stats.get(samples.get(i).index()));
                if (!(v < 1)) dropped[i] = String.format("IFD %.4f >= 1: the instruction does not help predict the answer", v);
            }
        }
        if (plan.pplLow() > 0 || plan.pplHigh() < 100) {
            double[] all = samples.stream().mapToDouble(s -> ppl.value(stats.get(s.index()))).sorted().toArray();
            double lo = percentile(all, plan.pplLow()), hi = percentile(all, plan.pplHigh());
            for (int i = 0; i < n; i++) {
                double v = ppl.value(stats.get(samples.get(i).index()));
                if (dropped[i] == null && (v < lo || v > hi)) {
                    dropped[i] = String.format("PPL %.3f outside the p%s-p%s band [%.3f, %.3f]", v, fmt(plan.pplLow()), fmt(plan.pplHigh()), lo, hi);
                }
            }
        }
        int[] cluster = new int[n];
        Arrays.fill(cluster, -1);
        String[] where = new String[n];
        Clustering clustering = null;
        List<Integer> clustered = new ArrayList<>();
        if (plan.clusters() > 0) {
            for (int i = 0; i < n; i++) if (dropped[i] == null) clustered.add(i);
            if (!clustered.isEmpty()) {
                double[][] x = new double[clustered.size()][];
                List<String> cats = new ArrayList<>();
                for (int j = 0; j < x.length; j++) {
                    x[j] = embeddings[(int) samples.get(clustered.get(j)).index()];
                    cats.add(samples.get(clustered.get(j)).category());
                }
                clustering = Clustering.kmeans(x, cats, plan.clusters(), plan.seed());
                for (Clustering.Cluster c : clustering.clusters()) {
                    for (int r = 0; r < c.members().size(); r++) {
                        int i = clustered.get(c.members().get(r));
                        cluster[i] = c.id();
                        if (r >= plan.nearest()) {
                            dropped[i] = String.format("cluster %d (%s, %d samples): %s nearest to the centre, beyond the %d kept as candidates",
                                    c.id(), c.category(), c.members().size(), ordinal(r + 1), plan.nearest());
                        } else {
                            where[i] = String.format("cluster %d (%s, %d samples), %s nearest to the centre", c.id(), c.category(), c.members().size(), ordinal(r + 1));
                        }
                    }
                }
            }
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) if (dropped[i] == null) candidates.add(i);
        if (plan.rankBy() != null) {
            for (int i : candidates) score[i] = plan.rankBy().value(stats.get(samples.get(i).index()));
            candidates.sort(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
        } else {
            SplittableRandom r = new SplittableRandom(plan.seed());
            for (int k = candidates.size() - 1; k > 0; k--) {
                int j = r.nextInt(k + 1);
                Integer t = candidates.get(k);
                candidates.set(k, candidates.get(j));
                candidates.set(j, t);
            }
        }
        int budget = plan.budget(n);
        String by = plan.rankBy() == null ? "random order (seed " + plan.seed() + ")" : plan.rankBy().name();
        List<Decision> out = new ArrayList<>();
        boolean[] kept = new boolean[n];
        String[] reason = new String[n];
        for (int rank = 0; rank < candidates.size(); rank++) {
            int i = candidates.get(rank);
            String s = plan.rankBy() == null ? "" : String.format(" %s %.4f,", by, score[i]);
            String pos = where[i] != null ? "; " + where[i] : "";
            kept[i] = rank < budget;
            reason[i] = kept[i] ? String.format("kept:%s rank %d of %d candidates by %s%s", s, rank + 1, candidates.size(), by, pos)
                    : String.format("ranked %d of %d candidates by %s,%s beyond the budget of %d%s", rank + 1, candidates.size(), by, s, budget, pos);
        }
        for (int i = 0; i < n; i++) out.add(new Decision(samples.get(i).index(), kept[i], dropped[i] != null ? dropped[i] : reason[i], cluster[i], score[i]));
        return new Selection(out, clustering, clustered);
    }

    /** Linear-interpolated percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static String fmt(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    private static String ordinal(int k) {
        String suffix = k % 100 >= 11 && k % 100 <= 13 ? "th" : switch (k % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return k + suffix;
    }

    public long keptCount() {
        return decisions.stream().filter(Decision::kept).count();
    }
}
