package wanka.data.mix;

/**
 * Online Data Mixing (Albalak et al. 2023, arXiv 2312.02406): each domain is an arm of an EXP3 bandit
 * whose reward is the training loss on that domain. With {@code K} domains and {@code t} the 1-based index
 * of the step about to be sampled:
 * <pre>
 *  ε_t    = min{ 1/K, sqrt( ln K / (K·t) ) }            (ε_0 = 1/K)
 *  π_t(i) = (1 − K·ε_t) · softmax(ε_{t−1}·R̂)_i + ε_t
 *  R̂_i   ← α·R̂_i + (1−α) · L_i / π_t(i)              for every domain i with rows in step t
 * </pre>
 * The sampled batch is mixed (each row picks its own domain), so every domain present in the step is updated,
 * as in the reference code's group update; a domain with no rows keeps its reward. During the first
 * {@code warmup} steps the sampler uses {@code initial} unchanged while rewards are already collected
 * (importance-weighted by {@code initial}). With {@link #LOSS} rewards (the paper's form, default) the losses are used
 * as they are. With {@link #EXP_LOSS} the reward is the official code's smoothed mean of {@code exp(L)}
 * ({@code SmoothedMeanWeightUpdater}: {@code R̂_i ← α·R̂_i + (1−α)·exp(min(L_i, 20))}, no importance weight, since with
 * mixed batches every domain is observed every step); at losses of 3–5 it separates the arms by several logits where the
 * paper's form separates them by a tenth.
 *
 * @param initial the warm-up distribution (e.g. uniform or proportional)
 * @param rewards the smoothed importance-weighted rewards R̂
 * @param updates steps observed so far ({@code t − 1})
 * @param alpha   smoothing of R̂ (the paper's default 0.9)
 * @param warmup  steps that sample from {@code initial}
 * @param reward  {@link #LOSS} or {@link #EXP_LOSS} (null, as in checkpoints written before the option, means {@link #LOSS})
 */
public record OdmWeights(double[] initial, double[] rewards, long updates, double alpha, long warmup, String reward) implements MixingWeights {

    /** The paper's smoothing factor α. */
    public static final double DEFAULT_ALPHA = 0.9;
    /** Reward = importance-weighted loss (the paper). */
    public static final String LOSS = "loss";
    /** Reward = exp(loss), smoothed (the official code). */
    public static final String EXP_LOSS = "exp_loss";
    private static final double MAX_EXP_LOSS = 20;

    public OdmWeights {
        initial = initial.clone();
        rewards = rewards.clone();
        MixingWeights.requireDistribution(initial, initial.length);
        if (rewards.length != initial.length) throw new IllegalArgumentException(rewards.length + " rewards for " + initial.length + " domains");
        if (!(alpha >= 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in [0, 1), got " + alpha);
        if (updates < 0 || warmup < 0) throw new IllegalArgumentException("updates and warmup must be >= 0");
        if (reward == null) reward = LOSS;
        if (!reward.equals(LOSS) && !reward.equals(EXP_LOSS)) throw new IllegalArgumentException("ODM reward must be " + LOSS + " or " + EXP_LOSS + ", got " + reward);
    }

    public OdmWeights(double[] initial, double[] rewards, long updates, double alpha, long warmup) {
        this(initial, rewards, updates, alpha, warmup, LOSS);
    }

    /** A fresh bandit with the paper's reward: zero rewards, α = 0.9. */
    public static OdmWeights start(MixingWeights initial, long warmup) {
        return start(initial, warmup, LOSS);
    }

    /** A fresh bandit with the given reward ({@link #LOSS} or {@link #EXP_LOSS}): zero rewards, α = 0.9. */
    public static OdmWeights start(MixingWeights initial, long warmup, String reward) {
        return new OdmWeights(initial.weights(), new double[initial.domains()], 0, DEFAULT_ALPHA, warmup, reward);
    }

    /** The exploration rate ε_t for {@code k} arms at 1-based step {@code t} (ε_0 = 1/K). */
    public static double epsilon(int k, long t) {
        if (t <= 0) return 1.0 / k;
        return Math.min(1.0 / k, Math.sqrt(Math.log(k) / ((double) k * t)));
    }

    @Override
    public int domains() {
        return initial.length;
    }

    @Override
    public double[] weights() {
        if (updates < warmup) return initial.clone();
        int k = domains();
        long t = updates + 1;
        double epsT = epsilon(k, t), epsPrev = epsilon(k, t - 1);
        double max = Double.NEGATIVE_INFINITY;
        for (double r : rewards) max = Math.max(max, epsPrev * r);
        double[] pi = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            pi[i] = Math.exp(epsPrev * rewards[i] - max);
            sum += pi[i];
        }
        for (int i = 0; i < k; i++) pi[i] = (1 - k * epsT) * pi[i] / sum + epsT;
        return pi;
    }

    @Override
    public OdmWeights observe(double[] domainLoss) {
        if (domainLoss.length != domains()) throw new IllegalArgumentException(domainLoss.length + " losses for " + domains() + " domains");
        double[] pi = weights();
        double[] next = rewards.clone();
        for (int i = 0; i < next.length; i++) {
            if (Double.isNaN(domainLoss[i])) continue;
            if (pi[i] <= 0) throw new IllegalStateException("domain " + i + " had rows but weight " + pi[i]);
            double r = reward.equals(EXP_LOSS) ? Math.exp(Math.min(domainLoss[i], MAX_EXP_LOSS)) : domainLoss[i] / pi[i];
            next[i] = alpha * next[i] + (1 - alpha) * r;
        }
        return new OdmWeights(initial, next, updates + 1, alpha, warmup, reward);
    }
}
