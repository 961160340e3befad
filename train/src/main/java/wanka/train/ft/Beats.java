package wanka.train.ft;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A rank's heartbeats: one after every step ({@link #stepDone}) and, from a daemon thread, the last one again every
 * {@code interval} while the next step runs, so a step that takes long (a synchronous checkpoint, a loaded machine)
 * does not look like a hang, while a stopped or frozen process falls silent. Every beat carries the rank's
 * {@link Progress} counter, so a rank that is alive but stuck (its counter does not move) is told from a slow one.
 * Writes go through one lock, so the two
 * never replace the file at once. Failed writes are ignored: a missing beat is what the agent judges.
 */
public final class Beats implements AutoCloseable {
    private final Path outDir;
    private final Object lock = new Object();
    private final Thread thread;
    private final Progress progress;
    private Heartbeat last; // guarded by lock

    /** Starts beating for {@code rank}, at step {@code step} (a fresh run's 0, or the step a resume continues from), without a progress counter. */
    public Beats(Path outDir, int rank, long step, Duration interval) {
        this(outDir, rank, step, interval, new Progress());
    }

    /** Starts beating for {@code rank} at step {@code step}, reporting {@code progress} in every beat. */
    public Beats(Path outDir, int rank, long step, Duration interval, Progress progress) {
        this.outDir = outDir;
        this.progress = progress;
        synchronized (lock) {
            this.last = Heartbeat.now(rank, step, 0, 0, "ok");
            write(last);
        }
        this.thread = Thread.ofPlatform().daemon().name("heartbeat-" + rank).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (lock) {
                    write(last.again(System.currentTimeMillis(), progress.value()));
                }
            }
        });
    }

    /** The beat after a finished step. */
    public void stepDone(Heartbeat beat) {
        synchronized (lock) {
            last = beat.again(beat.timeMs(), progress.value());
            write(last);
        }
    }

    private void write(Heartbeat b) {
        try {
            b.write(outDir);
        } catch (IOException ignored) {
            // the agent sees the silence
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
