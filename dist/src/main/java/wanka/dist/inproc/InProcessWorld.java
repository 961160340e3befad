package wanka.dist.inproc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import wanka.dist.DistException;
import wanka.dist.ProcessGroup;
import wanka.dist.World;

/**
 * Ranks as threads of this JVM, sharing memory: the backend for tests and single-machine runs, with MPI's
 * semantics (see {@link ProcessGroup}) and no MPI installed. {@code create(n)} gives the n world groups; run
 * each rank on its own thread (e.g. {@link World#run}). Large collectives are carried out by a small pool of
 * worker threads owned by the world; reductions add in rank order, so results are bitwise reproducible.
 */
public final class InProcessWorld implements World {
    private final Duration timeout;
    private final int parallelism;
    private final ExecutorService workers;
    private final List<Communicator> communicators = new ArrayList<>();
    private final List<ProcessGroup> groups;

    private InProcessWorld(int n, Duration timeout) {
        if (n < 1) {
            throw new IllegalArgumentException("an in-process world needs at least one rank, got " + n);
        }
        this.timeout = timeout;
        this.parallelism = Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
        this.workers = Executors.newFixedThreadPool(parallelism,
                Thread.ofPlatform().daemon().name("wanka-dist-worker-", 0).factory());
        Communicator world = communicator("world", IntStream.range(0, n).toArray());
        this.groups = IntStream.range(0, n).<ProcessGroup>mapToObj(r -> new InProcessGroup(world, r)).toList();
    }

    /** n ranks with the default timeout ({@link World#DEFAULT_TIMEOUT}). */
    public static InProcessWorld create(int n) {
        return create(n, DEFAULT_TIMEOUT);
    }

    /** n ranks whose operations give up, naming the missing ranks, after {@code timeout}. */
    public static InProcessWorld create(int n, Duration timeout) {
        return new InProcessWorld(n, timeout);
    }

    @Override
    public int size() {
        return groups.size();
    }

    @Override
    public List<ProcessGroup> groups() {
        return groups;
    }

    /** The world group of rank {@code rank}. */
    public ProcessGroup group(int rank) {
        return groups.get(rank);
    }

    /** Fails every operation still waiting for ranks and stops the workers once their tasks are done. */
    @Override
    public void close() {
        List<Communicator> all;
        synchronized (communicators) {
            all = new ArrayList<>(communicators);
        }
        DistException closed = new DistException("the in-process world was closed");
        all.forEach(c -> c.close(closed));
        workers.shutdown(); // tasks already handed out finish (they only compute) and complete their operations
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    int parallelism() {
        return parallelism;
    }

    ExecutorService workers() {
        return workers;
    }

    Communicator communicator(String name, int[] worldRanks) {
        Communicator c = new Communicator(this, name, worldRanks);
        synchronized (communicators) {
            communicators.add(c);
        }
        return c;
    }
}
