package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import wanka.train.StepMetrics;
import wanka.train.Trainer;

import java.nio.file.Path;

/**
 * Shows training progress: on a terminal a bar with rate, ETA and the current loss; otherwise (logs, CI)
 * or with --quiet, plain lines — every step with --quiet, about twenty per run otherwise.
 */
final class TrainProgress implements Trainer.Listener, AutoCloseable {
    private final ProgressBar bar;
    private final boolean quiet;
    private final boolean lines;
    private final long every;

    TrainProgress(long steps, long start, boolean quiet) {
        this.quiet = quiet;
        this.lines = quiet || System.console() == null;
        this.every = quiet ? 1 : Math.max(1, (steps - start) / 20);
        this.bar = lines ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).startsFrom(start, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).continuousUpdate().build();
    }

    @Override
    public void onStep(StepMetrics m) {
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", m.loss(), m.tokensPerSecond()));
        }
        if (lines && (m.step() % every == 0 || m.step() == 1)) {
            System.err.printf("step %d  loss %.4f  lr %.2e  grad_norm %.3f  %.0f tok/s  %.1f GFLOP/s%n",
                    m.step(), m.loss(), m.lr(), m.gradNorm(), m.tokensPerSecond(), m.modelGflops());
        }
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        if (lines) System.err.println("checkpoint: " + dir);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
