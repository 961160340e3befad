package wanka.data.mix;

/**
 * DoReMi-style online reweighting (Xie et al. 2023, arXiv 2305.10429) with a per-domain reference loss in place
 * of a reference model's per-token loss:
 * <pre>
 *  λ_i   = max(L_i − ref_i, 0)                 (excess loss; a domain absent from the step keeps its last λ)
 *  α'    = softmax(log α + η·λ)
 *  α     = (1 − c)·α' + c/K
 * </pre>
 *
 * @param weights   the current α
 * @param excess    the last λ per domain
 * @param reference the reference loss per domain (e.g. a uniform-mixture run's final loss)
 * @param eta       step size η (DoReMi: 1)
 * @param smoothing uniform smoothing c (DoReMi: 1e-3)
 */
public record DoReMiWeights(double[] weights, double[] excess, double[] reference, double eta, double smoothing) implements MixingWeights {

    public DoReMiWeights {
        weights = weights.clone();
        excess = excess.clone();
        reference = reference.clone();
        MixingWeights.requireDistribution(weights, weights.length);
        if (excess.length != weights.length || reference.length != weights.length) throw new IllegalArgumentException("excess and reference need one value per domain");
        if (!(eta > 0) || !(smoothing >= 0 && smoothing <= 1)) throw new IllegalArgumentException("need eta > 0 and smoothing in [0, 1]");
    }

    /** Starts from {@code initial} with DoReMi's η = 1, c = 1e-3. */
    public static DoReMiWeights start(MixingWeights initial, double[] reference) {
        return new DoReMiWeights(initial.weights(), new double[initial.domains()], reference, 1.0, 1e-3);
    }

    @Override
    public int domains() {
        return weights.length;
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public DoReMiWeights observe(double[] domainLoss) {
        int k = domains();
        if (domainLoss.length != k) throw new IllegalArgumentException(domainLoss.length + " losses for " + k + " domains");
        double[] lambda = excess.clone();
        for (int i = 0; i < k; i++) if (!Double.isNaN(domainLoss[i])) lambda[i] = Math.max(domainLoss[i] - reference[i], 0);
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logits[i] = Math.log(weights[i]) + eta * lambda[i];
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) sum += logits[i] = Math.exp(logits[i] - max);
        double[] next = new double[k];
        for (int i = 0; i < k; i++) next[i] = (1 - smoothing) * logits[i] / sum + smoothing / k;
        return new DoReMiWeights(next, lambda, reference, eta, smoothing);
    }
}
