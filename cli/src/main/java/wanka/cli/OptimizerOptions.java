package wanka.cli;

import picocli.CommandLine.Option;
import wanka.train.AdamWOptimizer;
import wanka.train.LrSchedule;

/**
 * The optimizer and learning-rate options of every training command (pretrain, sft, rm, dpo): one set of names, checks
 * and help text. Only the defaults differ between commands (pre-training from scratch wants a larger learning rate and
 * weight decay than fine-tuning), so each command constructs the mixin with its own.
 */
final class OptimizerOptions {
    @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--grad-accum", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum = 1;

    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--min-lr", description = "Final learning rate of the cosine schedule (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--warmup", description = "Linear warmup steps (default: ${DEFAULT-VALUE}).")
    long warmup = 0;

    @Option(names = "--schedule", description = "cosine or constant (default: ${DEFAULT-VALUE}).")
    String schedule = "cosine";

    @Option(names = "--clip", description = "Clip gradients to this global L2 norm; 0 = off (default: ${DEFAULT-VALUE}).")
    double clip = 1.0;

    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay on matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--beta2", description = "AdamW beta2 (default: ${DEFAULT-VALUE}; beta1 0.9, eps 1e-8).")
    double beta2 = 0.95;

    /** Pre-training's defaults. */
    static OptimizerOptions pretraining() {
        return new OptimizerOptions(1000, 3e-4, 3e-5, 0.1);
    }

    /** Fine-tuning's defaults (sft, rm, dpo). */
    static OptimizerOptions postTraining() {
        return new OptimizerOptions(100, 1e-5, 0, 0);
    }

    private OptimizerOptions(long steps, double lr, double minLr, double weightDecay) {
        this.steps = steps;
        this.lr = lr;
        this.minLr = minLr;
        this.weightDecay = weightDecay;
    }

    /** Checks every option, naming it; called before a run directory is taken or anything is loaded. */
    OptimizerOptions check() {
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be >= 1, got " + gradAccum);
        if (!(clip >= 0 && clip < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("--clip must be a finite number >= 0 (0 = off), got " + clip);
        LrSchedule.of(schedule, lr, minLr, warmup, steps); // the schedule's name, --lr, --min-lr, --warmup
        adam();
        return this;
    }

    /** AdamW's settings: beta1 0.9, --beta2, eps 1e-8, --weight-decay. */
    AdamWOptimizer.Settings adam() {
        return new AdamWOptimizer.Settings(0.9, beta2, 1e-8, weightDecay);
    }
}
