package wanka.align.pref;

import wanka.align.ops.VectorLoss;

/**
 * The Bradley–Terry reward-model loss over n pairs (algorithms.md §4.1; TRL {@code RewardTrainer}):
 * <pre>
 * L = (1/n) Σ_i −log σ(r_c,i − r_r,i − m_i)  +  c · (1/n) Σ_i (r_c,i + r_r,i)²
 * </pre>
 * with per-pair margins {@code m_i} (0 without a margin) and the optional centring coefficient {@code c}
 * (Eisenstein et al. 2023 suggest 0.01) that keeps rewards near zero.
 */
public record BradleyTerry(double center) {
    public BradleyTerry {
        if (!(center >= 0)) throw new IllegalArgumentException("--center must be >= 0, got " + center);
    }

    /** The loss over {@code x = [r_c,1..n, r_r,1..n]}. */
    public VectorLoss over(double[] margins) {
        return (x, grad) -> {
            int n = margins.length;
            double total = 0;
            for (int i = 0; i < n; i++) {
                double d = x[i] - x[n + i] - margins[i], s = x[i] + x[n + i];
                total += PreferenceLoss.softplus(-d) + center * s * s;
                double g = -PreferenceLoss.sigmoid(-d);
                grad[i] = (g + 2 * center * s) / n;
                grad[n + i] = (-g + 2 * center * s) / n;
            }
            return total / n;
        };
    }

    /** Share of pairs the rewards order correctly ({@code r_c > r_r}). */
    public static double accuracy(double[] chosen, double[] rejected) {
        int ok = 0;
        for (int i = 0; i < chosen.length; i++) if (chosen[i] > rejected[i]) ok++;
        return (double) ok / chosen.length;
    }
}
