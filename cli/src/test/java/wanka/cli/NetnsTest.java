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
            name = n.host(0).substring(0, n.host(0).length() - 1);
            assertThat(sh("ip", "netns", "list")).contains(n.host(0)).contains(n.host(1));
            n.linkDown(n.host(1));
            assertThat(sh("ip", "netns", "exec", n.host(1), "ip", "link", "show", "eth0")).contains("state DOWN");
            n.linkUp(n.host(1));
            assertThat(sh("ip", "netns", "exec", n.host(1), "ip", "link", "show", "eth0")).doesNotContain("state DOWN");
            assertThatThrownBy(() -> n.linkDown("someone-elses")).hasMessageContaining("is not one of this run's namespaces");
            assertThat(n.mpirunArgs()).contains("tcp,self", "plm_rsh_agent");
        }
        assertThat(sh("ip", "netns", "list")).doesNotContain(name + "1").doesNotContain(name + "2");
        assertThat(Files.readString(Path.of("/etc/hosts"))).doesNotContain("wanka-netns " + name);
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
