package wanka.tensor.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker threads CPU kernels run on. One pool per device; kernels split their outer loop into
 * ranges with {@link #parallelFor}. The caller thread takes part in the work (it runs the first range), so a pool of
 * one thread runs everything inline with no hand-off.
 *
 * <p>Between regions a worker spins for {@link #WORKER_SPIN_NANOS} before it parks, and the caller spins for up to
 * {@link #CALLER_SPIN_NANOS} for the workers' ranges before it parks (yielding the core after
 * {@link #YIELD_AFTER_NANOS}, so that a spin never holds a core another runnable thread needs): kernels run back to back (a training step is
 * thousands of regions), and waking a parked thread is slow on a virtual machine, whose idle virtual CPU has been
 * handed back to the host. {@code wanka bench pool} measures it beside the ForkJoinPool this class used before, whose
 * idle workers park at once (2-core VM, 2026-12-03, median / p99 µs per region beyond its work, 2 threads): empty
 * regions back to back 1.6 / 6.3 against 19.7 / 78.8; two 100 µs ranges 3.3 / 116 against 25.6 / 72.5; after a 2 ms
 * pause between regions, when both pools' workers have parked, 75 against 97 (waking a thread here costs that much). Two
 * such processes on the 2 cores, each with 1 ms ranges: 1,322–1,424 against 1,334–1,365, the spin yielding its core.
 * OpenBLAS's threads spin the same way between calls. A range no worker has started
 * when the caller is done with its own is run by the caller, so a late worker never holds a region up.
 *
 * <p>One region runs at a time: a call from inside a region (a nested kernel) or from a second thread while a region
 * runs is done inline on its calling thread.
 */
public final class CpuPool implements AutoCloseable {

    /** Body of a parallel loop over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker spins for the next region before it parks. */
    static final long WORKER_SPIN_NANOS = 500_000;
    /**
     * After this long a spinning thread yields its core on every turn ({@link Thread#yield}): where more threads than
     * cores are runnable (several pools, other processes) the spin must not take a core from one that has work.
     */
    static final long YIELD_AFTER_NANOS = 50_000;
    /** How long the caller spins for the workers' ranges before it parks. */
    static final long CALLER_SPIN_NANOS = 2_000_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock region = new ReentrantLock();
    private volatile boolean closed;

    private CpuPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1]; // the caller is the other worker
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i + 1);
            workers[i].start();
        }
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
     * sizes are multiples of {@code grain} (except the last). Returns when all ranges are done; an exception
     * thrown by a range reaches the caller (the caller's own first, the others suppressed in it).
     */
    public void parallelFor(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int parts = Math.min(threads, units);
        if (parts <= 1 || closed || region.isHeldByCurrentThread() || Thread.currentThread() instanceof Worker
                || !region.tryLock()) {
            body.run(0, n); // one range, a nested call, or another thread's region running: inline
            return;
        }
        try {
            Region r = new Region(body, n, g, units, parts);
            for (int p = 1; p < parts; p++) workers[p - 1].assign(r);
            Throwable failure = null;
            try {
                body.run(r.from(0), r.to(0));
            } catch (Throwable t) {
                failure = t;
            }
            for (int p = 1; p < parts; p++) r.runIfUnclaimed(p); // ranges whose worker has not started yet
            r.awaitOthers();
            for (Throwable t : r.failures()) {
                if (failure == null) failure = t;
                else if (failure != t) failure.addSuppressed(t);
            }
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            region.unlock();
        }
    }

    /** {@link #parallelFor(int, int, RangeBody)} with a grain of 1. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** One turn of a spin that has lasted {@code spun} nanoseconds: a pause, later a yield. */
    private static void pause(long spun) {
        if (spun < YIELD_AFTER_NANOS) Thread.onSpinWait();
        else Thread.yield();
    }

    /** One parallelFor: its ranges, who claimed each, and how many of ranges 1.. are still running. */
    private static final class Region {
        private final RangeBody body;
        private final int n, grain, units, parts;
        private final AtomicIntegerArray claimed;
        private final AtomicInteger pending;
        private final Thread caller = Thread.currentThread();
        private volatile boolean callerParked;
        private final List<Throwable> failures = new ArrayList<>();

        Region(RangeBody body, int n, int grain, int units, int parts) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.units = units;
            this.parts = parts;
            this.claimed = new AtomicIntegerArray(parts);
            this.pending = new AtomicInteger(parts - 1);
        }

        int from(int p) {
            return (int) ((long) units * p / parts) * grain;
        }

        int to(int p) {
            return Math.min(n, (int) ((long) units * (p + 1) / parts) * grain);
        }

        /** Runs range {@code p >= 1} unless another thread has claimed it. */
        void runIfUnclaimed(int p) {
            if (!claimed.compareAndSet(p, 0, 1)) return;
            try {
                body.run(from(p), to(p));
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            } finally {
                if (pending.decrementAndGet() == 0 && callerParked) LockSupport.unpark(caller);
            }
        }

        /** The caller waits for ranges 1.. (spinning first, then parked until the last one ends). */
        void awaitOthers() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                long waited = System.nanoTime() - start;
                if (waited < CALLER_SPIN_NANOS) {
                    pause(waited);
                    continue;
                }
                callerParked = true; // then re-read pending: the last range's end sees the flag or this sees 0
                if (pending.get() > 0) LockSupport.park(this);
            }
            callerParked = false;
        }

        List<Throwable> failures() {
            synchronized (failures) {
                return List.copyOf(failures);
            }
        }
    }

    /** A pool thread: runs range {@code range} of each region it is handed; spins, then parks, in between. */
    private static final class Worker extends Thread {
        private final CpuPool pool;
        private final int range;
        private final AtomicReference<Region> assigned = new AtomicReference<>();
        private volatile boolean parked;

        Worker(CpuPool pool, int range) {
            super("wanka-cpu-" + Integer.toHexString(System.identityHashCode(pool)) + "-" + range); // pool, then range
            setDaemon(true);
            this.pool = pool;
            this.range = range;
        }

        void assign(Region r) {
            assigned.set(r);
            if (parked) LockSupport.unpark(this); // the worker sets parked, then re-reads assigned: no lost wake-up
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (!pool.closed) {
                Region r = assigned.getAndSet(null);
                if (r != null) {
                    r.runIfUnclaimed(range);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < WORKER_SPIN_NANOS) {
                    pause(System.nanoTime() - idleSince);
                } else {
                    parked = true;
                    if (assigned.get() == null && !pool.closed) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }
}
