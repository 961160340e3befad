package wanka.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import wanka.dist.inproc.InProcessWorld;
import wanka.dist.mpi.MpiWorld;

/**
 * All ranks of a job as this process sees them: {@link #groups()} holds the world group of each rank that
 * lives here (one under MPI, all of them in-process). Closing it ends communication (MPI_Finalize).
 */
public interface World extends AutoCloseable {
    /** Default time an operation may wait before the backend's timeout action: long enough for a slow step. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** Ranks in the whole job. */
    int size();

    /** The world group of each rank in this process, by rank. */
    List<ProcessGroup> groups();

    @Override
    void close();

    /** Opens the backend's world. */
    static World open(Backend backend, Duration timeout) {
        return switch (backend) {
            case Backend.Mpi m -> MpiWorld.init(timeout);
            case Backend.InProcess p -> InProcessWorld.create(p.ranks(), timeout);
        };
    }

    /** Opens the world the environment describes ({@link Backend#detect}). */
    static World fromEnvironment(Duration timeout) {
        return open(Backend.detect(System.getenv()), timeout);
    }

    /**
     * Runs {@code body} once per local rank, each on a thread of its own (the calling thread when there is
     * one), and rethrows the first failure after all have ended.
     */
    default void run(Consumer<ProcessGroup> body) {
        List<ProcessGroup> gs = groups();
        if (gs.size() == 1) {
            body.accept(gs.getFirst());
            return;
        }
        List<Thread> threads = new ArrayList<>();
        Throwable[] failures = new Throwable[gs.size()];
        for (ProcessGroup g : gs) {
            threads.add(Thread.ofPlatform().name("rank-" + g.rank()).start(() -> {
                try {
                    body.accept(g);
                } catch (Throwable t) {
                    failures[g.rank()] = t;
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistException("interrupted while waiting for the ranks", e);
            }
        }
        for (int r = 0; r < failures.length; r++) {
            if (failures[r] != null) {
                throw new DistException("rank " + r + " failed: " + failures[r].getMessage(), failures[r]);
            }
        }
    }
}
