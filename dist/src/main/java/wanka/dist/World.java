package wanka.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    /** How long an operation may wait before the backend's timeout action. */
    default Duration timeout() {
        return DEFAULT_TIMEOUT;
    }

    /**
     * Runs {@code body} once per local rank, each on a thread of its own (the calling thread when there is
     * one), and throws when a rank failed, naming the cause rather than its consequences: a rank that failed
     * with its own error comes before ranks that timed out waiting for it. A rank still running one
     * {@link #timeout()} after another failed is taken to hang: it is interrupted and named, and this returns
     * (throwing) without waiting for it further, so a hung rank cannot keep the job from ending.
     */
    default void run(Consumer<ProcessGroup> body) {
        List<ProcessGroup> gs = groups();
        if (gs.size() == 1) {
            body.accept(gs.getFirst());
            return;
        }
        List<Thread> threads = new ArrayList<>();
        Throwable[] failures = new Throwable[gs.size()];
        BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
        for (ProcessGroup g : gs) {
            threads.add(Thread.ofPlatform().daemon().name("rank-" + g.rank()).start(() -> {
                try {
                    body.accept(g);
                } catch (Throwable t) {
                    failures[g.rank()] = t;
                } finally {
                    finished.add(g.rank());
                }
            }));
        }
        boolean[] done = new boolean[gs.size()];
        boolean failed = false;
        try {
            for (int left = gs.size(); left > 0; left--) {
                Integer r = failed ? finished.poll(timeout().toMillis(), TimeUnit.MILLISECONDS) : finished.take();
                if (r == null) break; // the rest hang
                done[r] = true;
                failed |= failures[r] != null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.forEach(Thread::interrupt);
            throw new DistException("interrupted while waiting for the ranks", e);
        }
        List<Integer> hung = new ArrayList<>();
        for (int r = 0; r < done.length; r++) {
            if (!done[r]) {
                hung.add(gs.get(r).rank());
                threads.get(r).interrupt();
            }
        }
        for (int r = 0; r < failures.length; r++) {
            if (failures[r] != null && !(failures[r] instanceof DistException)) {
                throw new DistException("rank " + gs.get(r).rank() + " failed: " + failures[r], failures[r]);
            }
        }
        Throwable first = java.util.Arrays.stream(failures).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (!hung.isEmpty()) {
            throw new DistException("rank" + (hung.size() > 1 ? "s " : " ") + hung + " did not finish within " + timeout().toMillis()
                    + " ms after the others stopped (hung)" + (first != null ? "; the others: " + first.getMessage() : ""), first);
        }
        for (int r = 0; r < failures.length; r++) {
            if (failures[r] != null) {
                throw new DistException("rank " + gs.get(r).rank() + " failed: " + failures[r].getMessage(), failures[r]);
            }
        }
    }
}
