package wanka.train;

/** Learning rate as a function of the optimizer step (0-based). */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.WarmupCosine {

    double at(long step);

    /** Linear warmup over {@code warmup} steps, then constant {@code lr}. */
    record Constant(double lr, long warmup) implements LrSchedule {
        @Override
        public double at(long step) {
            return warmup > 0 && step < warmup ? lr * (step + 1) / warmup : lr;
        }
    }

    /** Linear warmup to {@code lr}, then cosine decay to {@code minLr} at {@code totalSteps}. */
    record WarmupCosine(double lr, double minLr, long warmup, long totalSteps) implements LrSchedule {
        @Override
        public double at(long step) {
            if (warmup > 0 && step < warmup) return lr * (step + 1) / warmup;
            long decay = Math.max(1, totalSteps - warmup);
            double progress = Math.min(1.0, (double) (step - warmup) / decay);
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
        }
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
