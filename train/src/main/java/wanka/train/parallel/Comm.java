package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * One rank's collectives on {@code float[]} tensor storage. Tensors live on the Java heap and the MPI backend
 * needs off-heap buffers, so its calls copy through a native staging segment (kept in a free list by size
 * and reused step after step). Groups that take heap memory (the in-process backend) get the arrays themselves
 * in blocking calls (tensor-parallel all-reduces, pipeline receives); asynchronous calls and sends still stage,
 * since the caller may change its array before the operation is done. Every call is counted in the rank's
 * {@link CommStats}: blocking calls as exposed time, asynchronous ones as overlapped time up to the wait that
 * finds them done (the rest of their time as exposed). A group of one rank costs nothing: the calls return at once.
 * Used by one rank's thread only.
 */
final class Comm implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final CommStats stats;
    private final Arena arena = Arena.ofShared();
    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();

    Comm(CommStats stats) {
        this.stats = stats;
    }

    CommStats stats() {
        return stats;
    }

    /** An operation started by one of the {@code …Async} calls; {@link #await} finishes it (copying results back). */
    interface Pending {
        void await();
    }

    private static final Pending DONE = () -> { };

    /** Sums {@code a[off, off+n)} over {@code g} in place; the caller waits. */
    void allReduce(ProcessGroup g, float[] a, int off, int n) {
        allReduce(g, a, off, n, ReduceOp.SUM);
    }

    void allReduce(ProcessGroup g, float[] a, int off, int n, ReduceOp op) {
        if (g.size() > 1 && g.acceptsHeapSegments()) { // blocking, so the array itself is the buffer: no staging copies
            long t0 = System.nanoTime();
            g.allReduce(Span.floats(MemorySegment.ofArray(a), off, n), op);
            stats.bytes("all_reduce", g.name(), 4L * n);
            stats.exposed(System.nanoTime() - t0);
            return;
        }
        allReduceAsync(g, a, off, n, op, "all_reduce").await();
    }

    /** Sums (or maximises) a small double vector over {@code g} in place (norms, losses). */
    void allReduce(ProcessGroup g, double[] a) {
        if (g.size() == 1) return;
        long t0 = System.nanoTime();
        if (g.acceptsHeapSegments()) {
            g.allReduce(Span.doubles(MemorySegment.ofArray(a)));
            stats.bytes("all_reduce", g.name(), 8L * a.length);
            stats.exposed(System.nanoTime() - t0);
            return;
        }
        MemorySegment s = acquire(2L * a.length);
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a.length);
        g.allReduce(Span.doubles(s.asSlice(0, 8L * a.length)));
        MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a, 0, a.length);
        release(s);
        stats.bytes("all_reduce", g.name(), 8L * a.length);
        stats.exposed(System.nanoTime() - t0);
    }

    /** Starts an all-reduce of {@code a[off, off+n)}; the result is copied back into {@code a} by {@link Pending#await}. */
    Pending allReduceAsync(ProcessGroup g, float[] a, int off, int n, ReduceOp op, String label) {
        if (g.size() == 1) return DONE;
        MemorySegment s = acquire(n);
        MemorySegment.copy(a, off, s, F, 0, n);
        stats.bytes(label, g.name(), 4L * n);
        return track(g.allReduceAsync(Span.floats(s, 0, n), op), () -> {
            MemorySegment.copy(s, F, 0, a, off, n);
            release(s);
        });
    }

    /**
     * Starts a reduce-scatter: {@code in[inOff, inOff + n)} (n a multiple of the group size) is summed over the
     * group and block {@code rank} of the sum (n / size elements) lands in {@code out[outOff…]} at {@link Pending#await}.
     */
    Pending reduceScatterAsync(ProcessGroup g, float[] in, int inOff, int n, float[] out, int outOff) {
        if (g.size() == 1) {
            System.arraycopy(in, inOff, out, outOff, n);
            return DONE;
        }
        int part = n / g.size();
        MemorySegment s = acquire(n), o = acquire(part);
        MemorySegment.copy(in, inOff, s, F, 0, n);
        stats.bytes("reduce_scatter", g.name(), 4L * n);
        return track(g.reduceScatterAsync(Span.floats(s, 0, n), Span.floats(o, 0, part), ReduceOp.SUM), () -> {
            MemorySegment.copy(o, F, 0, out, outOff, part);
            release(s);
            release(o);
        });
    }

    void reduceScatter(ProcessGroup g, float[] in, int inOff, int n, float[] out, int outOff) {
        if (g.size() > 1 && g.acceptsHeapSegments()) {
            long t0 = System.nanoTime();
            g.reduceScatter(Span.floats(MemorySegment.ofArray(in), inOff, n), Span.floats(MemorySegment.ofArray(out), outOff, n / g.size()), ReduceOp.SUM);
            stats.bytes("reduce_scatter", g.name(), 4L * n);
            stats.exposed(System.nanoTime() - t0);
            return;
        }
        reduceScatterAsync(g, in, inOff, n, out, outOff).await();
    }

    /** Concatenates every rank's {@code in[inOff, inOff+n)} in rank order into {@code out[outOff, outOff + size·n)}. */
    Pending allGatherAsync(ProcessGroup g, float[] in, int inOff, int n, float[] out, int outOff) {
        if (g.size() == 1) {
            System.arraycopy(in, inOff, out, outOff, n);
            return DONE;
        }
        int total = n * g.size();
        MemorySegment s = acquire(n), o = acquire(total);
        MemorySegment.copy(in, inOff, s, F, 0, n);
        stats.bytes("all_gather", g.name(), 4L * total);
        return track(g.allGatherAsync(Span.floats(s, 0, n), Span.floats(o, 0, total)), () -> {
            MemorySegment.copy(o, F, 0, out, outOff, total);
            release(s);
            release(o);
        });
    }

    void allGather(ProcessGroup g, float[] in, int inOff, int n, float[] out, int outOff) {
        if (g.size() > 1 && g.acceptsHeapSegments()) {
            long t0 = System.nanoTime();
            g.allGather(Span.floats(MemorySegment.ofArray(in), inOff, n), Span.floats(MemorySegment.ofArray(out), outOff, (long) n * g.size()));
            stats.bytes("all_gather", g.name(), 4L * n * g.size());
            stats.exposed(System.nanoTime() - t0);
            return;
        }
        allGatherAsync(g, in, inOff, n, out, outOff).await();
    }

    /** Sends {@code a[off, off+n)} to {@code dst} (copied now, so the array may change at once). */
    Pending send(ProcessGroup g, float[] a, int off, int n, int dst, int tag) {
        MemorySegment s = acquire(n);
        MemorySegment.copy(a, off, s, F, 0, n);
        stats.bytes("send", g.name(), 4L * n);
        Work w = g.sendAsync(Span.floats(s, 0, n), dst, tag);
        return () -> {
            long t0 = System.nanoTime();
            w.await();
            stats.bubble(System.nanoTime() - t0);
            release(s);
        };
    }

    /** Receives {@code n} floats from {@code src} into {@code a[off…]}; the wait counts as pipeline bubble. */
    void recv(ProcessGroup g, float[] a, int off, int n, int src, int tag) {
        if (g.acceptsHeapSegments()) { // blocking: the sender's data lands in the array itself
            long t0 = System.nanoTime();
            g.recv(Span.floats(MemorySegment.ofArray(a), off, n), src, tag);
            stats.bubble(System.nanoTime() - t0);
            return;
        }
        MemorySegment s = acquire(n);
        long t0 = System.nanoTime();
        g.recv(Span.floats(s, 0, n), src, tag);
        stats.bubble(System.nanoTime() - t0);
        MemorySegment.copy(s, F, 0, a, off, n);
        release(s);
    }

    private Pending track(Work w, Runnable copyBack) {
        long started = System.nanoTime();
        return () -> {
            long t0 = System.nanoTime();
            w.await();
            long t1 = System.nanoTime();
            stats.overlapped(t0 - started);
            stats.exposed(t1 - t0);
            copyBack.run();
        };
    }

    private MemorySegment acquire(long floats) {
        long bytes = Math.max(4, 4 * floats);
        ArrayDeque<MemorySegment> q = free.get(bytes);
        MemorySegment s = q == null ? null : q.poll();
        return s != null ? s : arena.allocate(bytes, 64);
    }

    private void release(MemorySegment s) {
        free.computeIfAbsent(s.byteSize(), k -> new ArrayDeque<>()).push(s);
    }

    @Override
    public void close() {
        free.clear();
        arena.close();
    }
}
