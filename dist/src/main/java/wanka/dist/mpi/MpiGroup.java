package wanka.dist.mpi;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;
import wanka.dist.Checks;
import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

/**
 * A process group over an MPI communicator: each operation is the matching non-blocking MPI call, started and
 * completed on the world's {@link CommThread}; waiting on it is bounded by the world's watchdog.
 */
final class MpiGroup implements ProcessGroup {
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
        int n = count(buffer, "allReduce");
        MpiLib lib = world.lib();
        return start("allReduce(" + buffer.describe() + ", " + op + ")", req -> lib.iallreduce(MpiLib.IN_PLACE,
                buffer.slice(), n, lib.type(buffer.type()), lib.op(op), comm, req));
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
        int n = count(buffer, "broadcast");
        MpiLib lib = world.lib();
        return start("broadcast(" + buffer.describe() + ", root " + root + ")",
                req -> lib.ibcast(buffer.slice(), n, lib.type(buffer.type()), root, comm, req));
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
