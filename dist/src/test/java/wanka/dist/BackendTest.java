package wanka.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which backend the launcher's environment selects. */
class BackendTest {
    @Test
    void mpiWhenAnMpiLauncherStartedTheProcess() {
        assertThat(Backend.detect(Map.of("OMPI_COMM_WORLD_SIZE", "4"))).isEqualTo(new Backend.Mpi());
        assertThat(Backend.detect(Map.of("PMIX_RANK", "0", "SLURM_PROCID", "0"))).isEqualTo(new Backend.Mpi());
    }

    @Test
    void inProcessOtherwiseWithTheRequestedNumberOfRanks() {
        assertThat(Backend.detect(Map.of())).isEqualTo(new Backend.InProcess(1));
        assertThat(Backend.detect(Map.of("SLURM_PROCID", "0"))).isEqualTo(new Backend.InProcess(1));
        assertThat(Backend.detect(Map.of(Backend.RANKS_VARIABLE, "4"))).isEqualTo(new Backend.InProcess(4));
        assertThatThrownBy(() -> Backend.detect(Map.of(Backend.RANKS_VARIABLE, "four")))
                .hasMessageContaining("WANKA_DIST_RANKS=four");
    }

    @Test
    void aSlurmStepOfSeveralTasksWithoutMpiIsRefused() {
        assertThatThrownBy(() -> Backend.detect(Map.of("SLURM_STEP_NUM_TASKS", "4", "SLURM_PROCID", "1")))
                .hasMessageContaining("srun started 4 tasks without an MPI plugin")
                .hasMessageContaining("srun --mpi=pmix");
        assertThat(Backend.detect(Map.of("SLURM_STEP_NUM_TASKS", "1"))).isEqualTo(new Backend.InProcess(1));
    }

    @Test
    void worldRunsABodyPerLocalRank() {
        try (World w = World.open(new Backend.InProcess(3), World.DEFAULT_TIMEOUT)) {
            java.util.concurrent.atomic.AtomicInteger ranks = new java.util.concurrent.atomic.AtomicInteger();
            w.run(g -> {
                g.barrier();
                ranks.addAndGet(1 << g.rank());
            });
            assertThat(ranks.get()).isEqualTo(0b111);
        }
    }
}
