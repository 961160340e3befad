package wanka.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import wanka.dist.launch.Launch;

/** The launcher's command line: mpirun when Open MPI is here, one JVM with in-process ranks otherwise. */
class LaunchTest {
    @Test
    void commandRunsTheMainClassOnTheGivenClasspathEitherWay() {
        Launch.Plan p = Launch.plan(3, "/a.jar:/b", List.of("-Xmx1g", "x.Main", "--flag"));
        List<String> cmd = p.command();
        assertThat(cmd.subList(cmd.size() - 5, cmd.size())).containsExactly("-cp", "/a.jar:/b", "-Xmx1g", "x.Main", "--flag");
        assertThat(cmd).contains("--enable-native-access=ALL-UNNAMED");
        if (p.mpi()) {
            assertThat(cmd.getFirst()).endsWith("mpirun");
            assertThat(cmd.subList(1, 3)).containsExactly("-np", "3");
            assertThat(p.note()).isEmpty();
        } else {
            assertThat(cmd.getFirst()).endsWith("java");
            assertThat(p.environment()).containsEntry(Backend.RANKS_VARIABLE, "3");
            assertThat(p.note()).contains("Open MPI is absent").contains("3 ranks run in-process")
                    .contains("apt-get install openmpi-bin libopenmpi-dev");
        }
        assertThat(Launch.command(2, List.of("x.Main"))).endsWith("x.Main");
    }

    @Test
    void ranksInheritTheGarbageCollectorAndHeapOptions() {
        assertThat(Launch.inheritedJvmOptions(List.of("--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g",
                "-Dwanka.home=/x", "-Xss8m", "-XX:UseAVX=3", "-Xms1g"))).containsExactly("-XX:+UseParallelGC", "-Xmx8g", "-Xss8m", "-Xms1g");
    }
}
