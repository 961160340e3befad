package wanka.train;

/** Learning rate as a function of the optimizer step (0-based). */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.WarmupCosine {

    double at(long step);

    /** Linear warmup over {@code warmup} steps, then constant {@code lr}. */
    record Constant(double lr, long warmup) implements LrSchedule {
        public Constant {
            checkPeakAndWarmup(lr, warmup);
        }

        @Override
        public double at(long step) {
            return warmup > 0 && step < warmup ? lr * (step + 1) / warmup : lr;
        }
    }

    /** Linear warmup to {@code lr}, then cosine decay to {@code minLr} at {@code totalSteps}. */
    record WarmupCosine(double lr, double minLr, long warmup, long totalSteps) implements LrSchedule {
        public WarmupCosine {
            checkPeakAndWarmup(lr, warmup);
            if (!(minLr >= 0 && minLr <= lr)) {
                throw new IllegalArgumentException("--min-lr must be in [0, --lr " + lr + "] (the cosine decays from --lr to --min-lr), got " + minLr);
            }
            if (totalSteps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + totalSteps);
        }

        @Override
        public double at(long step) {
            if (warmup > 0 && step < warmup) return lr * (step + 1) / warmup;
            long decay = Math.max(1, totalSteps - warmup);
            double progress = Math.min(1.0, (double) (step - warmup) / decay);
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
        }
    }

    private static void checkPeakAndWarmup(double lr, long warmup) {
        if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0 steps (0 = none), got " + warmup);
    }

    /** Parses "cosine" or "constant". */
    static LrSchedule of(String kind, double lr, double minLr, long warmup, long totalSteps) {
        return switch (kind) {
            case "cosine" -> new WarmupCosine(lr, minLr, warmup, totalSteps);
            case "constant" -> new Constant(lr, warmup);
            default -> throw new IllegalArgumentException("unknown LR schedule '" + kind + "' (use cosine or constant)");
        };
    }
}
