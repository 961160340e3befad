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

    /**
     * @param future completes when the operation does (exceptionally with its error)
     * @param timeout how long {@link #await()} waits
     * @param onTimeout what {@link #await()} throws past the timeout (it may also act, e.g. abort the job)
     */
    public Work(CompletableFuture<?> future, Duration timeout, Supplier<? extends RuntimeException> onTimeout) {
        this.future = future;
        this.timeout = timeout;
        this.onTimeout = onTimeout;
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
