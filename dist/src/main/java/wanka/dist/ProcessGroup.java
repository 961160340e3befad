package wanka.dist;

/**
 * A group of ranks that communicate: collectives (all-reduce, reduce-scatter, all-gather, broadcast,
 * barrier), tagged point-to-point messages and sub-groups. Every operation has an asynchronous form returning
 * a {@link Work} (the buffers belong to the operation until it is done) and a blocking form that starts it and
 * waits. Buffers are {@link Span}s: typed element ranges of memory segments, so a bucket of a flat gradient
 * buffer is reduced in place.
 *
 * <p>Rules, as in MPI: every rank of the group issues the same collectives in the same order (the n-th call
 * on each rank is one operation; the in-process backend checks that kind, type and size agree), from one
 * thread at a time per rank. Collectives on different groups proceed independently. A {@code send} matches
 * the first {@code recv} posted by its peer with the same tag; messages between a pair of ranks with one tag
 * arrive in order. In-process, a send completes only once its receive is posted (as {@code MPI_Ssend}); MPI
 * may complete it earlier by buffering. So a program that runs in-process relies on no buffering MPI may not give.
 *
 * <p>Determinism: for a given group size, buffer size and type, results are bitwise identical from run to
 * run and on every rank. The in-process backend adds the contributions element by element in rank order
 * {@code ((x0 + x1) + x2) + …}; Open MPI picks its algorithm from the group and message size only, so a fixed
 * layout gives a fixed summation order (not necessarily the in-process one).
 */
public interface ProcessGroup {
    /** This rank within the group, 0 … size-1. */
    int rank();

    int size();

    /** The group's name in messages ("world", "tp", "dp", …). */
    String name();

    /** Reduces {@code buffer} over all ranks in place. */
    Work allReduceAsync(Span buffer, ReduceOp op);

    /**
     * Reduces {@code input} (size × n elements) over all ranks and leaves block {@code rank} of the result
     * (n elements) in {@code output}. The two must not overlap.
     */
    Work reduceScatterAsync(Span input, Span output, ReduceOp op);

    /** Concatenates every rank's {@code input} (n elements) in rank order into {@code output} (size × n). */
    Work allGatherAsync(Span input, Span output);

    /** Copies {@code root}'s {@code buffer} into every other rank's {@code buffer}. */
    Work broadcastAsync(Span buffer, int root);

    /** Sends {@code buffer} to rank {@code dst}; tags are 0 … 32767. */
    Work sendAsync(Span buffer, int dst, int tag);

    /** Receives into {@code buffer} the next message from {@code src} with {@code tag}; it must have the same type and size. */
    Work recvAsync(Span buffer, int src, int tag);

    /** Completes once every rank has started it. */
    Work barrierAsync();

    /**
     * Splits this group (a collective): ranks passing the same {@code color} (≥ 0) form a new group, ordered by
     * {@code key}, then by rank in this group.
     */
    ProcessGroup split(int color, int key, String name);

    default ProcessGroup split(int color, int key) {
        return split(color, key, name() + "/" + color);
    }

    /**
     * Whether this group's operations take spans of heap segments ({@code MemorySegment.ofArray}) as well as native
     * ones: the in-process backend does (its ranks share the heap), so callers can pass their arrays without staging
     * copies; MPI needs native memory.
     */
    default boolean acceptsHeapSegments() {
        return false;
    }

    default void allReduce(Span buffer) {
        allReduceAsync(buffer, ReduceOp.SUM).await();
    }

    default void allReduce(Span buffer, ReduceOp op) {
        allReduceAsync(buffer, op).await();
    }

    default Work allReduceAsync(Span buffer) {
        return allReduceAsync(buffer, ReduceOp.SUM);
    }

    default void reduceScatter(Span input, Span output) {
        reduceScatterAsync(input, output, ReduceOp.SUM).await();
    }

    default void reduceScatter(Span input, Span output, ReduceOp op) {
        reduceScatterAsync(input, output, op).await();
    }

    default void allGather(Span input, Span output) {
        allGatherAsync(input, output).await();
    }

    default void broadcast(Span buffer, int root) {
        broadcastAsync(buffer, root).await();
    }

    default void send(Span buffer, int dst, int tag) {
        sendAsync(buffer, dst, tag).await();
    }

    default void recv(Span buffer, int src, int tag) {
        recvAsync(buffer, src, tag).await();
    }

    default void barrier() {
        barrierAsync().await();
    }
}
