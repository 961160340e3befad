package wanka.plan;

/**
 * Alpha-beta times of collectives (§2.6). With S bytes per rank, n ranks, latency α and achieved bandwidth β:
 * <ul>
 *   <li>ring all-reduce: 2(n−1)α + 2(n−1)/n · S/β;</li>
 *   <li>reduce-scatter or all-gather: (n−1)α + (n−1)/n · S/β;</li>
 *   <li>a group spanning nodes runs hierarchically: reduce-scatter inside each node, the collective between nodes on
 *       S/k (k ranks per node, each over its own share of the node's NICs), all-gather inside each node.</li>
 * </ul>
 * Bandwidths are the cluster's link bandwidths times its fitted link efficiencies.
 */
public final class Collectives {
    private Collectives() {
    }

    /** Ring all-reduce of S bytes over n ranks on one link level. */
    public static double ringAllReduce(double bytes, int n, double alpha, double beta) {
        if (n <= 1) return 0;
        return 2.0 * (n - 1) * alpha + 2.0 * (n - 1) / n * bytes / beta;
    }

    /** Ring reduce-scatter (or all-gather) of S bytes (the full buffer) over n ranks on one link level. */
    public static double ringReduceScatter(double bytes, int n, double alpha, double beta) {
        if (n <= 1) return 0;
        return (n - 1) * alpha + (double) (n - 1) / n * bytes / beta;
    }

    /** All-reduce of {@code bytes} over {@code g} on {@code c}: one level, or hierarchical across nodes. */
    public static double allReduce(double bytes, Group g, Cluster c) {
        Link in = c.intra(), out = c.inter();
        double bIn = in.bandwidth() * c.efficiency().intraLink(), bOut = out.bandwidth() * c.efficiency().interLink();
        if (g.nodes() == 1) return ringAllReduce(bytes, g.size(), in.latency(), bIn);
        if (g.perNode() == 1) return ringAllReduce(bytes, g.size(), out.latency(), bOut);
        int k = g.perNode();
        return 2 * ringReduceScatter(bytes, k, in.latency(), bIn) + ringAllReduce(bytes / k, g.nodes(), out.latency(), bOut);
    }

    /** Reduce-scatter (or all-gather) of a {@code bytes} buffer over {@code g}: one level, or hierarchical. */
    public static double reduceScatter(double bytes, Group g, Cluster c) {
        Link in = c.intra(), out = c.inter();
        double bIn = in.bandwidth() * c.efficiency().intraLink(), bOut = out.bandwidth() * c.efficiency().interLink();
        if (g.nodes() == 1) return ringReduceScatter(bytes, g.size(), in.latency(), bIn);
        if (g.perNode() == 1) return ringReduceScatter(bytes, g.size(), out.latency(), bOut);
        int k = g.perNode();
        return ringReduceScatter(bytes, k, in.latency(), bIn) + ringReduceScatter(bytes / k, g.nodes(), out.latency(), bOut);
    }

    /** Point-to-point send of {@code bytes} over one link level. */
    public static double sendRecv(double bytes, boolean interNode, Cluster c) {
        Link l = interNode ? c.inter() : c.intra();
        double beta = l.bandwidth() * (interNode ? c.efficiency().interLink() : c.efficiency().intraLink());
        return l.latency() + bytes / beta;
    }
}
