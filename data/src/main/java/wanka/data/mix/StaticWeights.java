package wanka.data.mix;

import java.util.Arrays;

/** Fixed domain weights: given, uniform, or proportional to each domain's token count. */
public record StaticWeights(double[] weights) implements MixingWeights {

    public StaticWeights {
        if (weights.length == 0) throw new IllegalArgumentException("no domains");
        weights = weights.clone();
        MixingWeights.requireDistribution(weights, weights.length);
    }

    /** Equal weight for each of {@code k} domains. */
    public static StaticWeights uniform(int k) {
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        return new StaticWeights(w);
    }

    /** Weights proportional to {@code tokens[i]} (natural sampling of the concatenated corpus). */
    public static StaticWeights proportional(long[] tokens) {
        return new StaticWeights(normalise(Arrays.stream(tokens).asDoubleStream().toArray()));
    }

    /** Weights proportional to the given non-negative values (e.g. {@code 3, 1, 1}). */
    public static StaticWeights of(double... relative) {
        return new StaticWeights(normalise(relative));
    }

    static double[] normalise(double[] v) {
        double sum = Arrays.stream(v).sum();
        if (!(sum > 0) || Arrays.stream(v).anyMatch(x -> !(x >= 0))) throw new IllegalArgumentException("relative weights must be >= 0 with a positive sum: " + Arrays.toString(v));
        double[] w = new double[v.length];
        for (int i = 0; i < v.length; i++) w[i] = v[i] / sum;
        return w;
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
    public StaticWeights observe(double[] domainLoss) {
        return this;
    }
}
