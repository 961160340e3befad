package wanka.dist;

import java.util.Map;

/**
 * Which engine carries a {@link World}: Open MPI across processes (and hosts), or ranks as threads of this
 * JVM. {@link #detect} chooses from the environment the launcher left: {@code mpirun} sets
 * {@code OMPI_COMM_WORLD_SIZE}, Slurm's {@code srun --mpi=pmix} sets {@code PMIX_RANK}; otherwise the ranks are
 * in-process, {@code WANKA_DIST_RANKS} of them (what {@code Launch} sets when MPI is absent), else one. A Slurm
 * step of several tasks without an MPI plugin is refused: each task would silently train alone.
 */
public sealed interface Backend {
    /** Environment variable giving the number of in-process ranks when no MPI launcher is present. */
    String RANKS_VARIABLE = "WANKA_DIST_RANKS";

    /** Open MPI through FFM: this process is one rank; rank and size come from the launcher. */
    record Mpi() implements Backend {}

    /** {@code ranks} ranks as threads of this JVM. */
    record InProcess(int ranks) implements Backend {
        public InProcess {
            if (ranks < 1) {
                throw new IllegalArgumentException("in-process ranks must be >= 1, got " + ranks);
            }
        }
    }

    /** The backend the environment asks for (see the type's description). */
    static Backend detect(Map<String, String> env) {
        if (launchedByMpi(env)) {
            return new Mpi();
        }
        String tasks = env.get("SLURM_STEP_NUM_TASKS");
        if (tasks != null && !tasks.strip().equals("1")) {
            throw new IllegalStateException("srun started " + tasks + " tasks without an MPI plugin (no PMIX_RANK): "
                    + "use 'srun --mpi=pmix' (see 'srun --mpi=list'), or start the job with mpirun");
        }
        String n = env.get(RANKS_VARIABLE);
        if (n == null || n.isBlank()) {
            return new InProcess(1);
        }
        try {
            return new InProcess(Integer.parseInt(n.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RANKS_VARIABLE + "=" + n + " is not a number of ranks", e);
        }
    }

    /** Whether an MPI launcher (mpirun, or srun with PMIx/PMI) started this process. */
    static boolean launchedByMpi(Map<String, String> env) {
        return env.containsKey("OMPI_COMM_WORLD_SIZE") || env.containsKey("PMIX_RANK") || env.containsKey("PMI_RANK");
    }
}
