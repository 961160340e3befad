package wanka.tensor.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

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
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
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
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
                for (int p = 1; p < parts; p++) {
                    int from = (int) ((long) units * p / parts) * g;
                    int to = Math.min(n, (int) ((long) units * (p + 1) / parts) * g);
                    tasks.add(ForkJoinTask.adapt(() -> body.run(from, to)).fork());
                }
                body.run(0, Math.min(n, (int) ((long) units / parts) * g));
                for (int i = tasks.size() - 1; i >= 0; i--) tasks.get(i).join();
            }
        });
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
