package wanka.dist.inproc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import wanka.dist.Checks;
import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

/** One rank's handle on an in-process group: numbers its collectives and joins the shared {@link Communicator}. */
final class InProcessGroup implements ProcessGroup {
    private final Communicator comm;
    private final int rank;
    private final AtomicLong nextSeq = new AtomicLong();

    InProcessGroup(Communicator comm, int rank) {
        this.comm = comm;
        this.rank = rank;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return comm.size();
    }

    @Override
    public String name() {
        return comm.name();
    }

    @Override
    public boolean acceptsHeapSegments() {
        return true;
    }

    @Override
    public Work allReduceAsync(Span buffer, ReduceOp op) {
        Checks.allReduce(this, buffer, op);
        return collective(new Call.AllReduce(buffer, op));
    }

    @Override
    public Work reduceScatterAsync(Span input, Span output, ReduceOp op) {
        Checks.reduceScatter(this, input, output, op);
        return collective(new Call.ReduceScatter(input, output, op));
    }

    @Override
    public Work allGatherAsync(Span input, Span output) {
        Checks.allGather(this, input, output);
        return collective(new Call.AllGather(input, output));
    }

    @Override
    public Work broadcastAsync(Span buffer, int root) {
        Checks.broadcast(this, root);
        return collective(new Call.Broadcast(buffer, root));
    }

    @Override
    public Work barrierAsync() {
        return collective(new Call.Barrier());
    }

    @Override
    public Work sendAsync(Span buffer, int dst, int tag) {
        Checks.pointToPoint(this, "send", dst, tag);
        CompletableFuture<Object> done = comm.mailbox().send(rank, dst, tag, buffer);
        var timeout = comm.world().timeout();
        return new Work(done, timeout, () -> comm.mailbox().timeout(rank, dst, tag, true, done, timeout));
    }

    @Override
    public Work recvAsync(Span buffer, int src, int tag) {
        Checks.pointToPoint(this, "recv", src, tag);
        CompletableFuture<Object> done = comm.mailbox().recv(src, rank, tag, buffer);
        var timeout = comm.world().timeout();
        return new Work(done, timeout, () -> comm.mailbox().timeout(src, rank, tag, false, done, timeout));
    }

    @Override
    public ProcessGroup split(int color, int key, String name) {
        Checks.color(this, color);
        Call call = new Call.Split(color, key, name);
        long seq = nextSeq.getAndIncrement();
        Rendezvous r = comm.rendezvous(seq);
        CompletableFuture<Object> f = r.arrive(rank, call);
        new Work(f, comm.world().timeout(), () -> r.timeout(rank, call, comm.world().timeout())).await();
        return (ProcessGroup) f.join();
    }

    @Override
    public String toString() {
        return "group '" + name() + "' rank " + rank + " of " + size() + " (in-process)";
    }

    private Work collective(Call call) {
        Rendezvous r = comm.rendezvous(nextSeq.getAndIncrement());
        CompletableFuture<Object> f = r.arrive(rank, call);
        return new Work(f, comm.world().timeout(), () -> r.timeout(rank, call, comm.world().timeout()), r::help);
    }
}
