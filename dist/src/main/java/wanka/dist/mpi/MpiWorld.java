package wanka.dist.mpi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import wanka.dist.DistException;
import wanka.dist.ProcessGroup;
import wanka.dist.World;

/**
 * This process as one rank of an Open MPI job (started by {@code mpirun}, or {@code srun --mpi=pmix}; rank,
 * size and peers' addresses come from the launcher). Initialises MPI on its {@link CommThread}
 * ({@code MPI_Init_thread}, funneled), makes errors return codes ({@code MPI_ERRORS_RETURN}) so they become
 * {@link DistException}s with MPI's text, and finalises at {@link #close()}. At most one per process, as MPI
 * allows.
 *
 * <p>Watchdog: an operation waited on past the timeout is reported on stderr (operation, group, this rank,
 * host, what else is in flight) and the whole job is ended with {@code MPI_Abort}. MPI cannot tell which rank
 * failed to join a collective; the report of each rank that did join it is printed, so the missing one is the
 * rank without such a line.
 *
 * <p>Determinism: Open MPI chooses each collective's algorithm from the communicator and message size, so for
 * a fixed layout the summation order, and the bits of the result, repeat from run to run.
 */
public final class MpiWorld implements World {
    /** Exit code of a job ended by the watchdog. */
    public static final int TIMEOUT_EXIT_CODE = 124;

    private final MpiLib lib;
    private final CommThread comm;
    private final Duration timeout;
    private final String host;
    private final MpiGroup world;
    private final List<MpiGroup> children = new ArrayList<>();

    private MpiWorld(MpiLib lib, CommThread comm, Duration timeout, int[] rankSize, String host) {
        this.lib = lib;
        this.comm = comm;
        this.timeout = timeout;
        this.host = host;
        this.world = new MpiGroup(this, lib.commWorld, "world", rankSize[0], rankSize[1]);
    }

    /** Initialises MPI in this process; fails with installation advice if Open MPI is absent. */
    public static MpiWorld init(Duration timeout) {
        MpiLib lib = MpiLib.load();
        CommThread comm = new CommThread(lib);
        record Started(int rank, int size, String host) {}
        Started s;
        try {
            s = comm.call(a -> {
                if (lib.finalized(a)) {
                    throw new DistException("MPI was already finalized in this process; it cannot be restarted");
                }
                if (lib.initialized(a)) {
                    throw new DistException("MPI is already initialized in this process: open one MpiWorld per process");
                }
                lib.initThread(a, MpiLib.THREAD_FUNNELED);
                lib.returnErrors(lib.commWorld);
                return new Started(lib.commRank(a, lib.commWorld), lib.commSize(a, lib.commWorld), lib.processorName(a));
            }).join();
        } catch (java.util.concurrent.CompletionException e) {
            comm.stop(() -> {});
            throw e.getCause() instanceof DistException d ? d : new DistException("MPI initialisation failed", e);
        }
        checkLauncher(System.getenv(), s.size());
        return new MpiWorld(lib, comm, timeout, new int[] {s.rank(), s.size()}, s.host());
    }

    /** Whether Open MPI's library can be loaded here; the reason when not. */
    public static java.util.Optional<String> unavailable() {
        return MpiLib.unavailable();
    }

    @Override
    public int size() {
        return world.size();
    }

    /** This process's rank in the job. */
    public int rank() {
        return world.rank();
    }

    public ProcessGroup world() {
        return world;
    }

    @Override
    public List<ProcessGroup> groups() {
        return List.of(world);
    }

    /** Frees the sub-groups and calls MPI_Finalize (every rank must). */
    @Override
    public void close() {
        comm.stop(() -> {
            try (var a = java.lang.foreign.Arena.ofConfined()) {
                synchronized (children) {
                    for (MpiGroup g : children) {
                        lib.commFree(a, g.comm());
                    }
                    children.clear();
                }
            }
            lib.check(lib.finalizeMpi(), "MPI_Finalize");
        });
    }

    MpiLib lib() {
        return lib;
    }

    CommThread comm() {
        return comm;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    MpiGroup register(MpiGroup g) {
        synchronized (children) {
            children.add(g);
        }
        return g;
    }

    /**
     * The timeout action: reports the operation and aborts the whole job. Returns (for the caller to throw)
     * only if the abort itself did not end the process, which it always should.
     */
    DistException watchdog(MpiGroup g, String what) {
        String report = "wanka dist watchdog: " + what + " in group '" + g.name() + "' (rank " + g.rank() + " of "
                + g.size() + "; world rank " + world.rank() + " of " + world.size() + " on " + host + ") has not "
                + "completed after " + timeout.toMillis() + " ms. MPI cannot tell which rank is missing: this rank "
                + "has joined the operation, so look for the rank(s) without this message. In flight here: "
                + comm.inFlight() + ". Aborting the job (MPI_Abort, exit code " + TIMEOUT_EXIT_CODE + ").";
        System.err.println(report);
        System.err.flush();
        abort(TIMEOUT_EXIT_CODE);
        return new DistException(report);
    }

    /** Ends every process of the job: MPI_Abort from the MPI thread, from here if that thread is stuck, then halt. */
    public void abort(int code) {
        try {
            comm.call(a -> lib.abort(lib.commWorld, code)).get(5, TimeUnit.SECONDS);
        } catch (Exception stuck) {
            lib.abort(lib.commWorld, code);
        }
        Runtime.getRuntime().halt(code);
    }

    /** A job whose launcher started several tasks but where MPI sees one rank was started without MPI support. */
    private static void checkLauncher(Map<String, String> env, int size) {
        String expected = env.getOrDefault("OMPI_COMM_WORLD_SIZE", env.get("SLURM_NTASKS"));
        if (expected != null && size == 1 && !expected.strip().equals("1")) {
            throw new DistException("MPI sees 1 rank but the launcher started " + expected + " tasks: under Slurm use "
                    + "'srun --mpi=pmix' (see 'srun --mpi=list'), or start the job with mpirun");
        }
    }
}
