package wanka.align.pref;

/**
 * The per-pair DPO loss as a function of the log-ratio difference
 * {@code z = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l))} (algorithms.md §4.3; TRL / LLaMA-Factory
 * {@code loss_type}):
 * <ul>
 *   <li>{@link Sigmoid}: {@code −log σ(β z)} (Rafailov et al. 2023);</li>
 *   <li>{@link Ipo}: {@code (z − 1/(2β))²} (Azar et al. 2023);</li>
 *   <li>{@link Hinge}: {@code max(0, 1 − β z)} (SLiC).</li>
 * </ul>
 */
public sealed interface PreferenceLoss {

    /** The loss at {@code z}. */
    double value(double z, double beta);

    /** dLoss/dz. */
    double derivative(double z, double beta);

    /** Parses {@code sigmoid}, {@code ipo} or {@code hinge}. */
    static PreferenceLoss parse(String s) {
        return switch (s) {
            case "sigmoid" -> new Sigmoid();
            case "ipo" -> new Ipo();
            case "hinge" -> new Hinge();
            default -> throw new IllegalArgumentException("unknown DPO loss '" + s + "' (use sigmoid, ipo or hinge)");
        };
    }

    record Sigmoid() implements PreferenceLoss {
        @Override
        public double value(double z, double beta) {
            return softplus(-beta * z);
        }

        @Override
        public double derivative(double z, double beta) {
            return -beta * sigmoid(-beta * z);
        }
    }

    record Ipo() implements PreferenceLoss {
        @Override
        public double value(double z, double beta) {
            double e = z - 1 / (2 * beta);
            return e * e;
        }

        @Override
        public double derivative(double z, double beta) {
            return 2 * (z - 1 / (2 * beta));
        }
    }

    record Hinge() implements PreferenceLoss {
        @Override
        public double value(double z, double beta) {
            return Math.max(0, 1 - beta * z);
        }

        @Override
        public double derivative(double z, double beta) {
            return 1 - beta * z > 0 ? -beta : 0;
        }
    }

    /** log(1 + e^x), stable for large |x|. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
