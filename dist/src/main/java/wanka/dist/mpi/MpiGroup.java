package wanka.dist.mpi;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import wanka.dist.Checks;
import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

/**
 * A process group over an MPI communicator: each operation is the matching non-blocking MPI call, started and
 * completed on the world's {@link CommThread}; waiting on it is bounded by the world's watchdog.
 *
 * <p>An all-reduce or broadcast of more than {@link #PIECE_BYTES} is started as several MPI calls on consecutive
 * pieces of the buffer, in flight together (as NCCL and Horovod chunk large tensors). Open MPI 4.1 over shared
 * memory handles one huge message badly: a 220 MB {@code MPI_Iallreduce} between two ranks took 1,231 ms
 * (median) where the same bytes as 16 calls of 14 MB took 87 ms, and blocking {@code MPI_Allreduce} 822 vs 52 ms
 * (in C, same run; BENCHMARKS.md, "Parallel pre-training"). An element-wise reduction of consecutive pieces
 * computes what the whole call computes; each piece's summation order is fixed by the layout, so runs stay
 * bitwise reproducible.
 */
final class MpiGroup implements ProcessGroup {
    /** The largest buffer passed to one MPI all-reduce or broadcast call: 16 MiB. */
    static final long PIECE_BYTES = 16L << 20;

    private final MpiWorld world;
    private final MemorySegment comm;
    private final String name;
    private final int rank;
    private final int size;

    MpiGroup(MpiWorld world, MemorySegment comm, String name, int rank, int size) {
        this.world = world;
        this.comm = comm;
        this.name = name;
        this.rank = rank;
        this.size = size;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name() {
        return name;
    }

    MemorySegment comm() {
        return comm;
    }

    @Override
    public Work allReduceAsync(Span buffer, ReduceOp op) {
        Checks.allReduce(this, buffer, op);
        count(buffer, "allReduce");
        MpiLib lib = world.lib();
        return pieces("allReduce(" + buffer.describe() + ", " + op + ")", buffer, piece -> req -> lib.iallreduce(
                MpiLib.IN_PLACE, piece.slice(), (int) piece.count(), lib.type(piece.type()), lib.op(op), comm, req));
    }

    @Override
    public Work reduceScatterAsync(Span input, Span output, ReduceOp op) {
        Checks.reduceScatter(this, input, output, op);
        count(input, "reduceScatter");
        int n = count(output, "reduceScatter");
        MpiLib lib = world.lib();
        return start("reduceScatter(" + input.describe() + " -> " + output.describe() + ", " + op + ")",
                req -> lib.ireduceScatterBlock(input.slice(), output.slice(), n, lib.type(input.type()), lib.op(op),
                        comm, req));
    }

    @Override
    public Work allGatherAsync(Span input, Span output) {
        Checks.allGather(this, input, output);
        count(output, "allGather");
        int n = count(input, "allGather");
        MpiLib lib = world.lib();
        return start("allGather(" + input.describe() + " -> " + output.describe() + ")",
                req -> lib.iallgather(input.slice(), n, lib.type(input.type()), output.slice(), comm, req));
    }

    @Override
    public Work broadcastAsync(Span buffer, int root) {
        Checks.broadcast(this, root);
        count(buffer, "broadcast");
        MpiLib lib = world.lib();
        return pieces("broadcast(" + buffer.describe() + ", root " + root + ")", buffer,
                piece -> req -> lib.ibcast(piece.slice(), (int) piece.count(), lib.type(piece.type()), root, comm, req));
    }

    @Override
    public Work sendAsync(Span buffer, int dst, int tag) {
        Checks.pointToPoint(this, "send", dst, tag);
        int n = count(buffer, "send");
        MpiLib lib = world.lib();
        return start("send(" + buffer.describe() + ") to rank " + dst + " tag " + tag,
                req -> lib.isend(buffer.slice(), n, lib.type(buffer.type()), dst, tag, comm, req));
    }

    @Override
    public Work recvAsync(Span buffer, int src, int tag) {
        Checks.pointToPoint(this, "recv", src, tag);
        int n = count(buffer, "recv");
        MpiLib lib = world.lib();
        return start("recv(" + buffer.describe() + ") from rank " + src + " tag " + tag,
                req -> lib.irecv(buffer.slice(), n, lib.type(buffer.type()), src, tag, comm, req));
    }

    @Override
    public Work barrierAsync() {
        return start("barrier()", req -> world.lib().ibarrier(comm, req));
    }

    @Override
    public ProcessGroup split(int color, int key, String name) {
        Checks.color(this, color);
        String what = "split(color " + color + ", key " + key + ") -> '" + name + "'";
        CompletableFuture<MpiGroup> made = world.comm().call(a -> {
            MemorySegment child = world.lib().commSplit(a, comm, color, key);
            return world.register(new MpiGroup(world, child, name, world.lib().commRank(a, child),
                    world.lib().commSize(a, child)));
        });
        new Work(made, world.timeout(), () -> world.watchdog(this, what)).await();
        return made.join();
    }

    @Override
    public String toString() {
        return "group '" + name + "' rank " + rank + " of " + size + " (MPI)";
    }

    private Work start(String what, ToIntFunction<MemorySegment> call) {
        String full = what + " in group '" + name + "'";
        return new Work(world.comm().start(full, call), world.timeout(), () -> world.watchdog(this, what));
    }

    /** {@code call} on consecutive pieces of at most {@link #PIECE_BYTES} of {@code buffer}, one Work for all. */
    private Work pieces(String what, Span buffer, Function<Span, ToIntFunction<MemorySegment>> call) {
        long per = Math.max(1, PIECE_BYTES / buffer.type().byteSize());
        if (buffer.count() <= per) return start(what, call.apply(buffer));
        String full = what + " in group '" + name + "'";
        List<CompletableFuture<Object>> parts = new ArrayList<>();
        for (long at = 0; at < buffer.count(); at += per) {
            Span piece = buffer.view(at, Math.min(per, buffer.count() - at));
            parts.add(world.comm().start(full + ", elements [" + at + ", " + (at + piece.count()) + ")", call.apply(piece)));
        }
        return new Work(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)), world.timeout(),
                () -> world.watchdog(this, what));
    }

    /** MPI counts are C ints, and MPI reads native memory only. */
    private int count(Span s, String op) {
        if (!s.segment().isNative()) {
            throw new IllegalArgumentException(Checks.where(this, op) + ": the MPI backend needs off-heap buffers "
                    + "(Arena.allocate), got a heap segment");
        }
        if (s.count() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(Checks.where(this, op) + ": " + s.describe()
                    + " exceeds MPI's int count; split it into buckets");
        }
        return (int) s.count();
    }
}
