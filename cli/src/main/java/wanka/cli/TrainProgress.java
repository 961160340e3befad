package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import wanka.train.StepMetrics;
import wanka.train.Trainer;

import java.nio.file.Path;

/** Shows training progress: a bar with rate and ETA, the current loss, and a line per checkpoint. */
final class TrainProgress implements Trainer.Listener, AutoCloseable {
    private final ProgressBar bar;
    private final boolean quiet;
    private long lastLine;

    TrainProgress(long steps, long start, boolean quiet) {
        this.quiet = quiet;
        this.bar = quiet ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).startsFrom(start, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).continuousUpdate().build();
    }

    @Override
    public void onStep(StepMetrics m) {
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", m.loss(), m.tokensPerSecond()));
        }
        long now = System.nanoTime();
        if (quiet || now - lastLine > 30_000_000_000L) { // a plain log line every 30 s (and every step when quiet)
            lastLine = now;
            if (quiet) {
                System.err.printf("step %d  loss %.4f  lr %.2e  grad_norm %.3f  %.0f tok/s  %.1f GFLOP/s%n",
                        m.step(), m.loss(), m.lr(), m.gradNorm(), m.tokensPerSecond(), m.modelGflops());
            }
        }
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        if (quiet) System.err.println("checkpoint: " + dir);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
