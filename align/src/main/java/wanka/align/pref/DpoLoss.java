package wanka.align.pref;

import wanka.align.ops.VectorLoss;

/**
 * DPO with an NLL term on the chosen response (Iterative RPO, Pang et al. 2024; algorithms.md §4.3–4.4), over n pairs:
 * <pre>
 * z_i   = (π_c,i − ref_c,i) − (π_r,i − ref_r,i)          (sequence log-probs, summed over completion tokens)
 * L     = (1/n) Σ_i [ loss(z_i; β) + α · NLL_i ],   NLL_i = −π_c,i / |y_c,i|   (mean per-token NLL of the chosen completion)
 * </pre>
 * with {@code loss} one of {@link PreferenceLoss}. Logged per step: implicit rewards {@code β(π − ref)} of chosen and
 * rejected, their margin, and the accuracy (share of pairs whose chosen reward is higher).
 */
public record DpoLoss(double beta, double alpha, PreferenceLoss kind) {
    public DpoLoss {
        if (!(beta > 0)) throw new IllegalArgumentException("--beta must be > 0, got " + beta);
        if (!(alpha >= 0)) throw new IllegalArgumentException("--alpha (NLL weight) must be >= 0, got " + alpha);
    }

    /** The step's summary values. */
    public record Stats(double loss, double dpo, double nll, double chosenReward, double rejectedReward, double margin, double accuracy) {
    }

    /**
     * The loss over {@code x = [π_c,1..n, π_r,1..n]} given the cached reference log-probs and chosen completion lengths.
     */
    public VectorLoss over(double[] refChosen, double[] refRejected, int[] chosenTokens) {
        return (x, grad) -> {
            int n = refChosen.length;
            double total = 0;
            for (int i = 0; i < n; i++) {
                double z = (x[i] - refChosen[i]) - (x[n + i] - refRejected[i]);
                double dz = kind.derivative(z, beta);
                total += kind.value(z, beta) - alpha * x[i] / chosenTokens[i];
                grad[i] = (dz - alpha / chosenTokens[i]) / n;
                grad[n + i] = -dz / n;
            }
            return total / n;
        };
    }

    /** Loss parts, implicit rewards, margin and accuracy of policy log-probs {@code pc}, {@code pr}. */
    public Stats stats(double[] pc, double[] pr, double[] refChosen, double[] refRejected, int[] chosenTokens) {
        int n = pc.length;
        double dpo = 0, nll = 0, rc = 0, rr = 0, acc = 0;
        for (int i = 0; i < n; i++) {
            double z = (pc[i] - refChosen[i]) - (pr[i] - refRejected[i]);
            dpo += kind.value(z, beta);
            nll += -pc[i] / chosenTokens[i];
            double c = beta * (pc[i] - refChosen[i]), r = beta * (pr[i] - refRejected[i]);
            rc += c;
            rr += r;
            if (c > r) acc++;
        }
        return new Stats((dpo + alpha * nll) / n, dpo / n, nll / n, rc / n, rr / n, (rc - rr) / n, acc / n);
    }
}
