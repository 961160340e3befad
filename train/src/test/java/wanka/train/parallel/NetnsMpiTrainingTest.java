package wanka.train.parallel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.ProcessGroup;
import wanka.dist.launch.Launch;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Separate hosts: a dp2 job with its two ranks in two network namespaces ("hosts" with their own addresses on a
 * bridge, {@code scripts/netns-hosts.sh}), started by mpirun through an rsh agent that enters the namespace and
 * talking TCP over the veths only ({@code btl tcp,self}), reproduces the single-process losses. The namespaces,
 * links and /etc/hosts lines are removed when the test ends, failed or not. Skips, saying why, unless it runs as
 * root with {@code ip} and Open MPI.
 */
class NetnsMpiTrainingTest {
    @TempDir
    static Path dir;

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) if (Files.isExecutable(p.resolve("scripts/netns-hosts.sh"))) return p;
        throw new IllegalStateException("scripts/netns-hosts.sh not found above " + Path.of("").toAbsolutePath());
    }

    static String classpath() throws Exception {
        List<String> cp = new ArrayList<>();
        for (Class<?> c : List.of(ParallelTrainer.class, MpiTrainingMain.class, TeleChat2.class, Tensor.class, PackedBatches.class, ProcessGroup.class,
                ObjectMapper.class, JsonFactory.class, JsonInclude.class)) {
            String loc = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            if (!cp.contains(loc)) cp.add(loc);
        }
        return String.join(File.pathSeparator, cp);
    }

    static String run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end in " + seconds + " s");
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError(cmd + " exited " + p.exitValue() + ":\n" + s);
        return s;
    }

    /** The subnet prefix {@code netns-hosts.sh up NAME auto N} took ("prefix 10.213.X"). */
    static String prefix(String upOutput) {
        return upOutput.lines().filter(l -> l.startsWith("prefix ")).map(l -> l.substring(7).strip()).findFirst()
                .orElseThrow(() -> new AssertionError("netns-hosts.sh up did not say its prefix: " + upOutput));
    }

    static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    @Test
    void dataParallelAcrossTwoNetworkNamespaces() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces; skipping the separate-hosts test");
        assumeTrue(onPath("ip"), "needs iproute2's 'ip'; skipping the separate-hosts test");
        Launch.Plan probe = Launch.plan(2, "", List.of());
        assumeTrue(probe.mpi(), "Open MPI is not usable here, skipping the separate-hosts test: " + probe.note());
        Path shardFile = ParallelTrainingTest.writeShard(dir);
        List<Double> reference;
        try (TokenShard s = TokenShard.open(shardFile)) {
            reference = ParallelTrainingTest.referenceLosses(s, dir.resolve("single"));
        }
        String name = "wkn" + ProcessHandle.current().pid(); // hosts wknPIDh1, wknPIDh2: no other run's pattern matches them
        String script = repoRoot().resolve("scripts/netns-hosts.sh").toString();
        Path agent = dir.resolve("netns-rsh");
        run(List.of(script, "down", name), 60); // leftovers of a killed earlier run with the same pid
        try {
            String subnet = prefix(run(List.of(script, "up", name, "auto", "2"), 60)) + ".0/24"; // a free subnet, taken under the script's lock
            run(List.of(script, "agent", agent.toString()), 10);
            Path out = dir.resolve("dp2-netns");
            Launch.Plan plan = Launch.plan(2, classpath(), List.of(MpiTrainingMain.class.getName(), "1", "2", "1", "2", shardFile.toString(), out.toString()));
            List<String> cmd = new ArrayList<>(plan.command().subList(0, 3));
            cmd.addAll(List.of("--host", name + "h1," + name + "h2", "--mca", "plm_rsh_agent", agent.toString(), "--mca", "btl", "tcp,self",
                    "--mca", "btl_tcp_if_include", subnet, "--mca", "oob_tcp_if_include", subnet,
                    "-x", "OMPI_ALLOW_RUN_AS_ROOT", "-x", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "-x", "PATH"));
            cmd.addAll(plan.command().subList(3, plan.command().size()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(plan.environment());
            Process p = pb.start();
            byte[] bytes;
            try (var in = p.getInputStream()) {
                bytes = in.readAllBytes();
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("mpirun did not end");
            }
            String output = new String(bytes, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(output).isZero();
            String line = output.lines().filter(l -> l.startsWith("losses: ")).findFirst().orElseThrow(() -> new AssertionError("no losses in: " + output));
            List<Double> losses = Arrays.stream(line.substring(8).split(",")).map(Double::parseDouble).toList();
            double dev = ParallelTrainingTest.maxDeviation(losses, reference);
            System.out.printf("mpirun dp2 across network namespaces %sh1, %sh2 (%s): max relative loss deviation over %d steps: %.3e%n", name, name, subnet, losses.size(), dev);
            assertThat(dev).isLessThan(1e-4);
            assertThat(Files.readAllLines(Path.of(agent + ".log"))).as("hosts mpirun entered").containsExactlyInAnyOrder(name + "h1", name + "h2");
        } finally {
            run(List.of(script, "down", name), 60);
            assertThat(Files.readString(Path.of("/etc/hosts"))).doesNotContain("wanka-netns " + name);
            assertThat(run(List.of("ip", "netns", "list"), 10)).doesNotContain(name);
        }
    }

    /** Runs {@link MpiTrainingMain} with {@code args} as 2 ranks under mpirun on namespace hosts {@code h1}, {@code h2}; its output (exit 0 asserted). */
    static String mpirunOn(String h1, String h2, String subnet, Path agent, List<String> args) throws Exception {
        Launch.Plan plan = Launch.plan(2, classpath(), new ArrayList<>(java.util.stream.Stream.concat(java.util.stream.Stream.of(MpiTrainingMain.class.getName()), args.stream()).toList()));
        List<String> cmd = new ArrayList<>(plan.command().subList(0, 3));
        cmd.addAll(List.of("--host", h1 + "," + h2, "--mca", "plm_rsh_agent", agent.toString(), "--mca", "btl", "tcp,self",
                "--mca", "btl_tcp_if_include", subnet, "--mca", "oob_tcp_if_include", subnet,
                "-x", "OMPI_ALLOW_RUN_AS_ROOT", "-x", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "-x", "PATH"));
        cmd.addAll(plan.command().subList(3, plan.command().size()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(plan.environment());
        Process p = pb.start();
        byte[] bytes;
        try (var in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mpirun did not end");
        }
        String output = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    /**
     * The mpirun netns peer-copy test: level 1 kept in each host's own area with a copy on the peer host, the copies
     * travelling over TCP between the namespaces. After the job stops at step 5, host 2's area is wiped (the host is
     * lost) and the job resumes on the same hosts: rank 1's shard comes from its copy on host 1, and the weights at the
     * end are bitwise equal to an uninterrupted run's under the same mpirun and namespaces.
     */
    @Test
    void levelOnePeerCopiesAcrossNetworkNamespacesBringBackALostHostsShard() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces; skipping the netns peer-copy test");
        assumeTrue(onPath("ip"), "needs iproute2's 'ip'; skipping the netns peer-copy test");
        Launch.Plan probe = Launch.plan(2, "", List.of());
        assumeTrue(probe.mpi(), "Open MPI is not usable here, skipping the netns peer-copy test: " + probe.note());
        Path shardFile = ParallelTrainingTest.writeShard(dir);
        String name = "wkp" + ProcessHandle.current().pid(), h1 = name + "h1", h2 = name + "h2";
        String script = repoRoot().resolve("scripts/netns-hosts.sh").toString();
        Path agent = dir.resolve("netns-rsh-peer"), areas = dir.resolve("level1");
        run(List.of(script, "down", name), 60);
        try {
            String subnet = prefix(run(List.of(script, "up", name, "auto", "2"), 60)) + ".0/24";
            run(List.of(script, "agent", agent.toString()), 10);
            Path whole = dir.resolve("peer-whole"), out = dir.resolve("peer-resumed");
            mpirunOn(h1, h2, subnet, agent, List.of("1", "2", "1", "2", shardFile.toString(), whole.toString()));
            String area = areas.resolve(wanka.train.store.PeerMemory.HOST).toString();
            String first = mpirunOn(h1, h2, subnet, agent, List.of("1", "2", "1", "2", shardFile.toString(), out.toString(), "peer=" + area, "stop=5"));
            assertThat(first).contains("stopped after step 5");
            for (String h : List.of(h1, h2)) for (String rank : List.of("rank-00000", "rank-00001")) { // own shard and the peer's copy, on each host
                assertThat(areas.resolve(h).resolve("step-00000004").resolve(rank).resolve("shard.json")).as(h + " " + rank).exists();
            }
            MultiLevelCheckpointTest.delete(areas.resolve(h2)); // host 2 is lost with its level-1 area
            String resumed = mpirunOn(h1, h2, subnet, agent, List.of("1", "2", "1", "2", shardFile.toString(), out.toString(), "peer=" + area, "resume"));
            assertThat(resumed).as(resumed).contains("level 1: step 4 assembled").contains("ranks [0, 1] from host " + h1 + " (peer copies of [1])")
                    .contains("resumed from " + out.resolve(".fetched/level1/step-00000004"));
            ShardedCheckpointTest.assertBitwiseEqual(wanka.model.ModelIO.readArrays(out.resolve("model/model.safetensors")), wanka.model.ModelIO.readArrays(whole.resolve("model/model.safetensors")));
            System.out.printf("mpirun dp2 in namespaces %s, %s: level 1 with peer copies over TCP; host %s's area wiped after step 5; resumed at step 4 from the copies on %s; final weights bitwise equal%n", h1, h2, h2, h1);
        } finally {
            run(List.of(script, "down", name), 60);
            assertThat(run(List.of("ip", "netns", "list"), 10)).doesNotContain(h1).doesNotContain(h2);
        }
    }
}
