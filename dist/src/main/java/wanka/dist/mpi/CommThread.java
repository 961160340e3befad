package wanka.dist.mpi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import wanka.dist.DistException;

/**
 * The one thread that calls MPI (so {@code MPI_THREAD_FUNNELED} suffices, and no Java thread ever blocks
 * inside MPI except during setup). Other threads queue tasks; an operation is started with its non-blocking
 * MPI call ({@code MPI_Iallreduce}, …) and then driven by {@code MPI_Test} until it completes, many at a time,
 * so asynchronous operations overlap with computation and with each other. When nothing is in flight the
 * thread sleeps on its queue.
 */
final class CommThread {
    /** An operation in flight: its request handle and who waits for it. */
    private record InFlight(String what, Arena arena, MemorySegment request, CompletableFuture<Object> done) {}

    private final MpiLib lib;
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<InFlight> inFlight = new ArrayList<>();
    /** What is in flight, readable from other threads (for the watchdog's report). */
    private final ConcurrentHashMap<CompletableFuture<Object>, String> described = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Arena scratch = Arena.ofShared();
    private final MemorySegment flag = scratch.allocate(JAVA_INT);
    private volatile boolean stopped;

    CommThread(MpiLib lib) {
        this.lib = lib;
        this.thread = Thread.ofPlatform().daemon().name("wanka-dist-mpi").start(this::loop);
    }

    /** Runs {@code task} on this thread (it may call MPI, blocking calls included) and gives its result. */
    <T> CompletableFuture<T> call(Function<Arena, T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        submit(() -> {
            try (Arena a = Arena.ofConfined()) {
                done.complete(task.apply(a));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, done);
        return done;
    }

    /**
     * Starts a non-blocking operation: {@code start} receives a fresh {@code MPI_Request} slot, makes the
     * {@code MPI_I…} call and returns its error code. The future completes when {@code MPI_Test} says so.
     */
    CompletableFuture<Object> start(String what, ToIntFunction<MemorySegment> start) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        submit(() -> {
            Arena arena = Arena.ofConfined();
            try {
                MemorySegment request = arena.allocate(ADDRESS);
                lib.check(start.applyAsInt(request), what);
                described.put(done, what);
                inFlight.add(new InFlight(what, arena, request, done));
            } catch (Throwable t) {
                arena.close();
                done.completeExceptionally(t);
            }
        }, done);
        return done;
    }

    /** Descriptions of the operations in flight now. */
    List<String> inFlight() {
        return List.copyOf(described.values());
    }

    /** Ends the loop after {@code last} has run on this thread; waits for the thread to end. */
    void stop(Runnable last) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        submit(() -> {
            DistException closed = new DistException("the MPI world was closed while this operation was in flight");
            for (InFlight f : inFlight) {
                f.done().completeExceptionally(closed);
            }
            inFlight.clear();
            described.clear();
            try {
                last.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
            stopped = true;
        }, done);
        done.join();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    private void submit(Runnable task, CompletableFuture<?> done) {
        if (stopped) {
            done.completeExceptionally(new DistException("the MPI world is closed"));
            return;
        }
        queue.add(task);
    }

    private void loop() {
        int idle = 0;
        while (!stopped) {
            try {
                Runnable task = inFlight.isEmpty() ? queue.take() : queue.poll();
                while (task != null) {
                    task.run();
                    task = stopped ? null : queue.poll();
                }
            } catch (InterruptedException e) {
                continue;
            }
            if (stopped || inFlight.isEmpty()) {
                idle = 0;
                continue;
            }
            if (testAll()) {
                idle = 0;
            } else if (++idle > 2000) {
                LockSupport.parkNanos(20_000);
            } else if (idle > 200) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
        scratch.close();
    }

    /** One MPI_Test per operation in flight; true if any completed. */
    private boolean testAll() {
        boolean any = false;
        for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext();) {
            InFlight f = it.next();
            int rc = lib.test(f.request(), flag);
            if (rc != MpiLib.SUCCESS || flag.get(JAVA_INT, 0) != 0) {
                it.remove();
                described.remove(f.done());
                f.arena().close();
                if (rc == MpiLib.SUCCESS) {
                    f.done().complete(null);
                } else {
                    f.done().completeExceptionally(new DistException(f.what() + " failed: " + lib.errorString(rc)
                            + " (MPI error " + rc + ")"));
                }
                any = true;
            }
        }
        return any;
    }
}
