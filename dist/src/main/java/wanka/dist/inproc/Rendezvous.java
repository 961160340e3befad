package wanka.dist.inproc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import wanka.dist.DistException;
import wanka.dist.DistTimeoutException;

/**
 * One collective of one in-process group: the n-th call of each rank. It collects the ranks' {@link Call}s,
 * checks they agree, and when the last rank arrives carries the operation out and completes every rank's future.
 * A small operation the last rank does alone; a large one is cut into parts over disjoint output ranges that the
 * last rank, the ranks waiting for it ({@link #help}, from {@code Work.await}) and the world's worker threads
 * claim one at a time, so waiting ranks work instead of sleeping. It knows who has not arrived, for timeouts.
 */
final class Rendezvous {
    /** Below this many bytes the last rank to arrive does the work itself. */
    private static final long INLINE_BYTES = 1 << 16;

    private final Communicator comm;
    private final long seq;
    private final Call[] calls;
    private final List<CompletableFuture<Object>> results = new ArrayList<>();
    private int arrived;
    private DistException failure;
    /** The parts of a large operation, published once the last rank has arrived; any thread may claim one. */
    private volatile List<Runnable> parts;
    private final AtomicInteger nextPart = new AtomicInteger();
    private final AtomicInteger partsLeft = new AtomicInteger();

    Rendezvous(Communicator comm, long seq) {
        this.comm = comm;
        this.seq = seq;
        this.calls = new Call[comm.size()];
        for (int r = 0; r < comm.size(); r++) {
            results.add(new CompletableFuture<>());
        }
    }

    /** Records {@code rank}'s call; the returned future completes when the operation is done on that rank. */
    CompletableFuture<Object> arrive(int rank, Call call) {
        boolean last;
        DistException failed;
        synchronized (this) {
            if (calls[rank] != null) {
                throw new IllegalStateException("rank " + rank + " arrived twice at collective #" + seq);
            }
            calls[rank] = call;
            arrived++;
            if (failure == null) {
                for (int r = 0; r < calls.length; r++) {
                    if (calls[r] != null && !calls[r].matches(call)) {
                        failure = new DistException("collective #" + seq + " in group '" + comm.name()
                                + "' mismatched: rank " + r + " called " + calls[r].describe() + ", rank " + rank
                                + " called " + call.describe());
                        break;
                    }
                }
            }
            last = arrived == calls.length;
            failed = failure;
        }
        if (last) {
            comm.retire(seq);
        }
        if (failed != null) {
            fail(failed);
        } else if (last) {
            execute();
        }
        return results.get(rank);
    }

    /** The exception a rank that waited {@code timeout} for its call throws. */
    synchronized DistTimeoutException timeout(int rank, Call call, Duration timeout) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < calls.length; r++) {
            if (calls[r] == null) {
                missing.add(r);
            }
        }
        String who = missing.isEmpty()
                ? "all ranks arrived but the operation did not finish"
                : "rank" + (missing.size() > 1 ? "s " : " ") + join(missing) + " (world "
                        + join(missing.stream().map(comm::worldRank).toList()) + ") "
                        + (missing.size() > 1 ? "have" : "has") + " not arrived";
        return new DistTimeoutException(call.describe() + " #" + seq + " in group '" + comm.name() + "' (rank " + rank
                + " of " + calls.length + ") timed out after " + timeout.toMillis() + " ms: " + who, missing);
    }

    void fail(DistException e) {
        for (CompletableFuture<Object> f : results) {
            f.completeExceptionally(e);
        }
    }

    private void execute() {
        try {
            if (calls[0] instanceof Call.Split) {
                split();
                return;
            }
            List<Runnable> tasks = Tasks.of(calls, comm.world().parallelism());
            if (Tasks.bytes(calls[0]) < INLINE_BYTES || tasks.size() <= 1) {
                tasks.forEach(Runnable::run);
                complete();
                return;
            }
            // Shared parts: the world's workers, this (last) rank right now, and every rank that waits for the
            // operation (Work#await helps) claim them one at a time; whoever finishes the last completes it.
            partsLeft.set(tasks.size());
            parts = tasks;
            for (int i = 1; i < tasks.size(); i++) {
                comm.world().workers().execute(this::help);
            }
            help();
        } catch (RejectedExecutionException e) {
            fail(new DistException("group '" + comm.name() + "': the in-process world is closed", e));
        } catch (RuntimeException e) {
            fail(new DistException(calls[0].describe() + " #" + seq + " in group '" + comm.name() + "' failed: "
                    + e.getMessage(), e));
        }
    }

    /** Carries out unclaimed parts of this operation, if it has any; returns at once when there are none. */
    void help() {
        List<Runnable> p = parts;
        if (p == null) {
            return;
        }
        for (int i; (i = nextPart.getAndIncrement()) < p.size(); ) {
            try {
                p.get(i).run();
            } catch (RuntimeException e) {
                fail(new DistException(calls[0].describe() + " #" + seq + " in group '" + comm.name() + "' failed: "
                        + e.getMessage(), e));
            }
            if (partsLeft.decrementAndGet() == 0) {
                complete();
            }
        }
    }

    private void complete() {
        for (CompletableFuture<Object> f : results) {
            f.complete(null);
        }
    }

    /** Ranks of one color form a group, ordered by (key, rank); each rank's result is its handle. */
    private void split() {
        Map<Integer, List<Integer>> byColor = new TreeMap<>();
        for (int r = 0; r < calls.length; r++) {
            byColor.computeIfAbsent(((Call.Split) calls[r]).color(), c -> new ArrayList<>()).add(r);
        }
        for (List<Integer> members : byColor.values()) {
            members.sort((a, b) -> {
                int ka = ((Call.Split) calls[a]).key(), kb = ((Call.Split) calls[b]).key();
                return ka != kb ? Integer.compare(ka, kb) : Integer.compare(a, b);
            });
            int[] world = members.stream().mapToInt(comm::worldRank).toArray();
            Communicator child = comm.world().communicator(((Call.Split) calls[members.getFirst()]).name(), world);
            for (int i = 0; i < members.size(); i++) {
                results.get(members.get(i)).complete(new InProcessGroup(child, i));
            }
        }
    }

    private static String join(List<Integer> ranks) {
        return Arrays.toString(ranks.toArray());
    }
}
