package wanka.dist.mpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.dist.ProcessGroup;
import wanka.dist.launch.Launch;

/**
 * The MPI backend for real: {@code mpirun -np N --oversubscribe java … MpiSelfCheck} through {@link Launch},
 * every collective checked inside the ranks. Skips, saying why, where Open MPI is not installed.
 */
class MpiBackendTest {
    private static String classpath;

    @BeforeAll
    static void needsOpenMpi() throws Exception {
        Launch.Plan probe = Launch.plan(2, "", List.of());
        assumeTrue(probe.mpi(), "Open MPI is not usable here, skipping the MPI backend tests: " + probe.note());
        classpath = location(ProcessGroup.class) + java.io.File.pathSeparator + location(MpiSelfCheck.class);
    }

    @Test
    void everyCollectiveGivesTheExpectedResultOnTwoRanks() throws Exception {
        checkPassed(launch(2, "check"), 2);
    }

    @Test
    void everyCollectiveOnFourRanksAndBitwiseIdenticalFromRunToRun() throws Exception {
        Result first = launch(4, "check"), second = launch(4, "hash");
        checkPassed(first, 4);
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(hashes(second.output())).hasSize(4).isEqualTo(hashes(first.output()));
    }

    private static void checkPassed(Result r, int n) {
        assertThat(r.exit()).as(r.output()).isZero();
        for (int rank = 0; rank < n; rank++) {
            assertThat(r.output()).contains("rank " + rank + " checks passed", "rank " + rank + " ok");
        }
    }

    private static java.util.Set<String> hashes(String output) {
        return output.lines().filter(l -> l.matches("rank \\d+ hash .*")).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void watchdogReportsTheStuckOperationAndAbortsTheJob() throws Exception {
        Result r = launch(2, "timeout");
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output())
                .contains("wanka dist watchdog: allReduce(float x 8, SUM) in group 'world' (rank 0 of 2; world rank 0 of 2")
                .contains("has not completed after 2000 ms")
                .contains("MPI cannot tell which rank is missing")
                .contains("Aborting the job (MPI_Abort")
                .doesNotContain("rank 0 ok");
    }

    private record Result(int exit, String output) {}

    private static Result launch(int n, String mode) throws IOException, InterruptedException {
        Launch.Plan plan = Launch.plan(n, classpath, List.of(MpiSelfCheck.class.getName(), mode));
        if (!plan.command().contains("--oversubscribe")) {
            plan = new Launch.Plan(withOversubscribe(plan.command()), plan.environment(), plan.note(), plan.mpi());
        }
        Process p = Launch.processBuilder(plan).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mpirun did not end: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static List<String> withOversubscribe(List<String> cmd) {
        List<String> c = new java.util.ArrayList<>(cmd);
        c.add(1, "--oversubscribe");
        return c;
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
