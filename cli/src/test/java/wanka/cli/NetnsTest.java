package wanka.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The chaos harness's hosts: namespaces made, a link cut and restored (only this run's own namespaces; no traffic is
 * sent), and everything removed again, /etc/hosts lines included. Skips, saying why, unless root with iproute2 and Open MPI.
 */
class NetnsTest {
    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void makesCutsRestoresAndRemovesItsOwnNamespaces() throws Exception {
        String why = Netns.whyNot();
        assumeTrue(why == null, "network namespaces not usable here: " + why);
        String name;
        try (Netns n = Netns.start(2)) {
            name = n.host(0).substring(0, n.host(0).length() - 2);
            assertThat(n.host(1)).isEqualTo(name + "h2");
            assertThat(sh("ip", "netns", "list")).contains(n.host(0)).contains(n.host(1));
            assertThat(n.unreachable(List.of(n.host(0), n.host(1)))).as("every host reaches the bridge").isEmpty();
            n.linkDown(n.host(1));
            assertThat(sh("ip", "netns", "exec", n.host(1), "ip", "link", "show", "eth0")).contains("state DOWN");
            assertThat(n.unreachable(List.of(n.host(0), n.host(1)))).as("the cut host, found by probing").containsExactly(n.host(1));
            n.linkUp(n.host(1));
            assertThat(sh("ip", "netns", "exec", n.host(1), "ip", "link", "show", "eth0")).doesNotContain("state DOWN");
            assertThat(n.unreachable(List.of(n.host(0), n.host(1)))).as("restored").isEmpty();
            assertThatThrownBy(() -> n.linkDown("someone-elses")).hasMessageContaining("is not one of this run's namespaces");
            assertThat(n.mpirunArgs()).contains("tcp,self", "plm_rsh_agent");
        }
        assertThat(sh("ip", "netns", "list")).doesNotContain(name + "h1").doesNotContain(name + "h2");
        assertThat(Files.readString(Path.of("/etc/hosts"))).doesNotContain("wanka-netns " + name + "\n");
    }

    @Test
    void runsStartedAtOnceGetTheirOwnNamesAndSubnetsAndRemoveOnlyTheirOwn() throws Exception {
        String why = Netns.whyNot();
        assumeTrue(why == null, "network namespaces not usable here: " + why);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        List<Netns> runs = new java.util.ArrayList<>();
        try {
            for (var f : pool.invokeAll(java.util.Collections.nCopies(3, (java.util.concurrent.Callable<Netns>) () -> Netns.start(2)))) runs.add(f.get());
            assertThat(runs.stream().map(r -> r.host(0)).distinct()).hasSize(3);
            assertThat(runs.stream().map(r -> r.mpirunArgs().get(runs.get(0).mpirunArgs().indexOf("btl_tcp_if_include") + 1)).distinct()).as("subnets").hasSize(3);
            runs.get(0).close();
            String list = sh("ip", "netns", "list");
            assertThat(list).doesNotContain(runs.get(0).host(0) + " ").contains(runs.get(1).host(0)).contains(runs.get(1).host(1)).contains(runs.get(2).host(0));
            assertThat(runs.get(1).unreachable(List.of(runs.get(1).host(0), runs.get(1).host(1)))).as("the others still work").isEmpty();
        } finally {
            pool.shutdown();
            for (Netns r : runs.subList(Math.min(1, runs.size()), runs.size())) r.close();
        }
        for (Netns r : runs) assertThat(sh("ip", "netns", "list")).doesNotContain(r.host(0) + " ").doesNotContain(r.host(1) + " ");
    }

    @Test
    void mpirunIsToldTheAttemptsHosts() {
        var plan = new wanka.dist.launch.Launch.Plan(List.of("mpirun", "-np", "2", "java", "-cp", "x", "Main"), java.util.Map.of(), "", true);
        var hosts = List.of(new wanka.train.ft.HostPool.Host("a", 1), new wanka.train.ft.HostPool.Host("c", 1));
        assertThat(LaunchCommand.onHosts(plan, hosts, List.of("--mca", "btl", "tcp,self")).command())
                .containsExactly("mpirun", "-np", "2", "--host", "a:1,c:1", "--mca", "btl", "tcp,self", "java", "-cp", "x", "Main");
        var inProcess = new wanka.dist.launch.Launch.Plan(List.of("java", "Main"), java.util.Map.of(), "in-process", false);
        assertThat(LaunchCommand.onHosts(inProcess, hosts, List.of()).command()).containsExactly("java", "Main");
    }
}
