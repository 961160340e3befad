package wanka.plan;

/**
 * The few global constants that turn op counts into seconds on one kind of cluster (§2.6 calibration example:
 * Calculon uses the same kind of factors). They are fitted per cluster by {@link Calibration} on a declared
 * split of measured runs; a cluster without measurements borrows a measured cluster's values.
 *
 * @param matmul         achieved fraction of the 16-bit peak on large matrix multiplies
 * @param attention      achieved fraction of the peak in the attention core (QKᵀ, softmax·V)
 * @param memory         achieved fraction of HBM bandwidth in memory-bound ops (norms, activations, adds, optimizer)
 * @param kernelOverhead seconds lost per kernel (launch, tail): makes small matrix multiplies inefficient
 * @param intraLink      achieved fraction of the intra-node link bandwidth in collectives
 * @param interLink      achieved fraction of the inter-node link bandwidth in collectives
 */
public record Efficiency(double matmul, double attention, double memory, double kernelOverhead, double intraLink,
                         double interLink) {
    public Efficiency {
        for (double f : new double[]{matmul, attention, memory, intraLink, interLink}) {
            if (!(f > 0) || f > 1) throw new IllegalArgumentException("efficiency factors must be in (0, 1], got " + f);
        }
        if (!(kernelOverhead >= 0)) throw new IllegalArgumentException("kernel overhead must be >= 0");
    }

    /** @return the constants as an array, in record order (for fitting) */
    public double[] toArray() {
        return new double[]{matmul, attention, memory, kernelOverhead, intraLink, interLink};
    }

    /** @return the constants from {@link #toArray()} order */
    public static Efficiency fromArray(double[] v) {
        return new Efficiency(v[0], v[1], v[2], v[3], v[4], v[5]);
    }
}
