package wanka.dist;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A handle on an operation started by one of the {@code …Async} methods of {@link ProcessGroup}: until it is
 * done, the operation may still read or write its buffers. {@link #await()} waits for it at most the group's
 * timeout; past that the backend's timeout action runs (the in-process backend throws a
 * {@link DistTimeoutException} naming the ranks that have not arrived; MPI reports and aborts the job).
 * (The method is {@code await}, not {@code wait}: {@code Object.wait()} is final.)
 */
public final class Work {
    private final CompletableFuture<?> future;
    private final Duration timeout;
    private final Supplier<? extends RuntimeException> onTimeout;
    private final Runnable help;

    /** How long {@link #await()} spins (helping, if it can) before it parks the thread: about a short collective's time. */
    private static final long SPIN_NANOS = 100_000;

    /**
     * @param future completes when the operation does (exceptionally with its error)
     * @param timeout how long {@link #await()} waits
     * @param onTimeout what {@link #await()} throws past the timeout (it may also act, e.g. abort the job)
     */
    public Work(CompletableFuture<?> future, Duration timeout, Supplier<? extends RuntimeException> onTimeout) {
        this(future, timeout, onTimeout, null);
    }

    /**
     * A handle whose waiter can do part of the operation itself: {@link #await()} runs {@code help} (which must
     * return soon when there is nothing to do) and spins for up to {@link #SPIN_NANOS} while the operation is not
     * done, before it parks the thread. The in-process backend passes the parts of a collective that any thread may
     * carry out, so the ranks waiting for it share the work instead of sleeping while other threads do it.
     */
    public Work(CompletableFuture<?> future, Duration timeout, Supplier<? extends RuntimeException> onTimeout, Runnable help) {
        this.future = future;
        this.timeout = timeout;
        this.onTimeout = onTimeout;
        this.help = help;
    }

    /** A finished operation. */
    public static Work done() {
        return new Work(CompletableFuture.completedFuture(null), Duration.ZERO, () -> new IllegalStateException());
    }

    /** Whether the operation has finished (successfully or not); never blocks. */
    public boolean isDone() {
        return future.isDone();
    }

    /** Waits for the operation; rethrows its failure as a {@link DistException} with this thread's stack. */
    public void await() {
        if (help != null) {
            long end = System.nanoTime() + SPIN_NANOS;
            while (!future.isDone()) {
                help.run();
                if (future.isDone() || System.nanoTime() > end) break;
                Thread.onSpinWait();
            }
        }
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw onTimeout.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistException("interrupted while waiting for a communication", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DistTimeoutException t) {
                throw new DistTimeoutException(t.getMessage(), t.missing());
            }
            throw new DistException(cause.getMessage(), cause);
        }
    }

    /** Waits for every handle in order. */
    public static void awaitAll(List<Work> works) {
        for (Work w : works) {
            w.await();
        }
    }
}
