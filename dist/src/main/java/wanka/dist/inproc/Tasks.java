package wanka.dist.inproc;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import wanka.dist.Span;

/**
 * Turns one matched collective (every rank's {@link Call}) into independent tasks over disjoint output
 * ranges, so several threads can carry it out; the result does not depend on how they are scheduled.
 */
final class Tasks {
    /** Fewest elements worth a task of their own. */
    private static final long MIN_ELEMENTS = 1 << 15;

    private Tasks() {}

    /** The tasks for {@code calls} (one per rank, all of the same kind), using up to {@code parallelism} tasks per range split. */
    static List<Runnable> of(Call[] calls, int parallelism) {
        List<Runnable> tasks = new ArrayList<>();
        int n = calls.length;
        switch (calls[0]) {
            case Call.AllReduce first -> {
                long count = first.buffer().count();
                int parts = (int) Math.max(1, Math.min(parallelism, count / MIN_ELEMENTS));
                for (int p = 0; p < parts; p++) {
                    long from = count * p / parts, to = count * (p + 1) / parts;
                    List<MemorySegment> views = new ArrayList<>();
                    for (Call c : calls) {
                        views.add(((Call.AllReduce) c).buffer().view(from, to - from).slice());
                    }
                    tasks.add(() -> Kernels.reduce(first.buffer().type(), first.op(), views, views));
                }
            }
            case Call.ReduceScatter first -> {
                for (int r = 0; r < n; r++) {
                    List<MemorySegment> inputs = new ArrayList<>();
                    for (Call c : calls) {
                        inputs.add(((Call.ReduceScatter) c).input().block(r, n).slice());
                    }
                    List<MemorySegment> output = List.of(((Call.ReduceScatter) calls[r]).output().slice());
                    tasks.add(() -> Kernels.reduce(first.input().type(), first.op(), inputs, output));
                }
            }
            case Call.AllGather first -> {
                for (int r = 0; r < n; r++) {
                    Span out = ((Call.AllGather) calls[r]).output();
                    tasks.add(() -> {
                        for (int k = 0; k < n; k++) {
                            Kernels.copy(((Call.AllGather) calls[k]).input().slice(), out.block(k, n).slice());
                        }
                    });
                }
            }
            case Call.Broadcast first -> {
                MemorySegment from = ((Call.Broadcast) calls[first.root()]).buffer().slice();
                for (int r = 0; r < n; r++) {
                    if (r != first.root()) {
                        MemorySegment to = ((Call.Broadcast) calls[r]).buffer().slice();
                        tasks.add(() -> Kernels.copy(from, to));
                    }
                }
            }
            case Call.Barrier b -> {}
            case Call.Split s -> throw new IllegalArgumentException("split has no data tasks");
        }
        return tasks;
    }

    /** Bytes the collective moves per rank, to decide whether it is worth handing to other threads. */
    static long bytes(Call call) {
        return switch (call) {
            case Call.AllReduce a -> a.buffer().byteSize();
            case Call.ReduceScatter r -> r.input().byteSize();
            case Call.AllGather g -> g.output().byteSize();
            case Call.Broadcast b -> b.buffer().byteSize();
            case Call.Barrier b -> 0;
            case Call.Split s -> 0;
        };
    }
}
