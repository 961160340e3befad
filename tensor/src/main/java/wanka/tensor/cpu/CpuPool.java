package wanka.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The worker threads CPU kernels run on. One pool per device; kernels split their outer loop into
 * ranges with {@link #parallelFor}. The caller thread takes part in the work, so a pool of one
 * thread runs everything inline with no hand-off.
 */
public final class CpuPool implements AutoCloseable {

    /** Body of a parallel loop over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    private CpuPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads - 1); // the caller is the other worker
    }

    /** A pool with {@code threads} workers (including the calling thread). */
    public static CpuPool ofThreads(int threads) {
        return new CpuPool(threads);
    }

    /** A pool sized to the machine: one worker per available processor. */
    public static CpuPool sizedToMachine() {
        return new CpuPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@code threads} contiguous ranges whose
     * sizes are multiples of {@code grain} (except the last). Returns when all ranges are done.
     */
    public void parallelFor(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int parts = Math.min(threads, units);
        if (parts <= 1 || pool == null) {
            body.run(0, n);
            return;
        }
        if (ForkJoinTask.inForkJoinPool()) { // nested call from a worker: run inline, never deadlock
            body.run(0, n);
            return;
        }
        // The caller runs the first range itself and the pool's threads - 1 workers the others: one hand-off (the
        // submit wakes a worker) instead of three (pool.invoke parked the caller, woke a worker, which forked the
        // other ranges and woke the next worker, and the caller was woken again at the end), and no third thread
        // competing for the cores the workers run on.
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) units * p / parts) * g;
            int to = Math.min(n, (int) ((long) units * (p + 1) / parts) * g);
            others[p - 1] = pool.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, Math.min(n, (int) ((long) units / parts) * g));
        } catch (Throwable t) {
            failure = t;
        }
        for (ForkJoinTask<?> task : others) { // a range no worker has started yet runs here (ForkJoinTask.join)
            try {
                task.join();
            } catch (Throwable t) {
                if (failure == null) failure = t;
                else if (failure != t) failure.addSuppressed(t);
            }
        }
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** {@link #parallelFor(int, int, RangeBody)} with a grain of 1. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
