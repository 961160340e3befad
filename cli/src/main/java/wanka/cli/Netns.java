package wanka.cli;

import wanka.dist.launch.Launch;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts for {@code wanka chaos} as network namespaces on this machine ({@code scripts/netns-hosts.sh}: a veth each on a
 * bridge, addresses in a private test subnet, /etc/hosts names), entered by mpirun through an rsh agent that also
 * names the host to the ranks ({@code WANKA_HOST}). It only touches the namespaces it made: it cuts and restores their
 * links and removes them, links and /etc/hosts lines when closed.
 */
final class Netns implements AutoCloseable {
    private final Path script, agent;
    private final String name, prefix;
    private final int hosts;
    private java.net.ServerSocket switchPort; // the bridge's probe listener, opened on first use

    private Netns(Path script, Path agent, String name, String prefix, int hosts) {
        this.script = script;
        this.agent = agent;
        this.name = name;
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /** Why namespaces cannot be used here, or null when they can. */
    static String whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) return "not root";
        if (!onPath("ip")) return "no iproute2 'ip' on the PATH";
        Launch.Plan probe = Launch.plan(2, "", List.of());
        if (!probe.mpi()) return "Open MPI is not usable: " + probe.note();
        if (script() == null) return "scripts/netns-hosts.sh not found above " + Path.of("").toAbsolutePath();
        return null;
    }

    /** {@code n} namespaces, or null (the caller says {@link #whyNot}) when they cannot be made here. */
    static Netns start(int n) throws IOException, InterruptedException {
        if (whyNot() != null) return null;
        Path script = script();
        Path agent = Files.createTempDirectory("wanka-chaos-netns-").resolve("rsh-agent");
        java.util.random.RandomGenerator rng = new java.util.SplittableRandom();
        String name = null, up = null;
        for (int attempt = 0; up == null; attempt++) { // wkc<pid><2 digits>, hosts wkc<pid><2 digits>h1..: no other run's pattern matches them
            name = "wkc" + ProcessHandle.current().pid() + String.format("%02d", rng.nextInt(100));
            try {
                up = run(List.of(script.toString(), "up", name, "auto", Integer.toString(n))); // a free subnet, taken under the script's lock
            } catch (IOException inUse) {
                if (attempt == 4) throw inUse; // "in use" (another Netns of this process, or a leftover): another name
            }
        }
        String made = up;
        String prefix = up.lines().filter(l -> l.startsWith("prefix ")).map(l -> l.substring(7).strip()).findFirst()
                .orElseThrow(() -> new IOException("netns-hosts.sh up did not say its prefix: " + made));
        run(List.of(script.toString(), "agent", agent.toString()));
        return new Netns(script, agent, name, prefix, n);
    }

    /** The name of host {@code i} (0-based). */
    String host(int i) {
        if (i < 0 || i >= hosts) throw new IllegalArgumentException("host " + i + " of " + hosts);
        return name + "h" + (i + 1);
    }

    /** mpirun's arguments to start ranks in the namespaces and talk TCP over their veths only. */
    List<String> mpirunArgs() {
        return List.of("--mca", "plm_rsh_agent", agent.toString(), "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", prefix + ".0/24", "--mca", "oob_tcp_if_include", prefix + ".0/24",
                "-x", "OMPI_ALLOW_RUN_AS_ROOT", "-x", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "-x", "PATH");
    }

    /** Cuts host {@code host} off: its link goes down. */
    void linkDown(String host) throws IOException, InterruptedException {
        run(List.of("ip", "netns", "exec", own(host), "ip", "link", "set", "eth0", "down"));
    }

    /** Restores host {@code host}'s link. */
    void linkUp(String host) throws IOException, InterruptedException {
        run(List.of("ip", "netns", "exec", own(host), "ip", "link", "set", "eth0", "up"));
    }

    /**
     * Which of {@code hostNames} have lost their network: each host, from inside its namespace, opens a TCP connection
     * to the bridge (the "switch", {@code PREFIX.1}, where this process listens); a host that cannot within 3 s is
     * cut off. Traffic goes only to this run's own bridge address. The hosts are probed at once.
     */
    List<String> unreachable(List<String> hostNames) throws IOException, InterruptedException {
        int port = listen();
        List<Process> probes = new ArrayList<>();
        for (String h : hostNames) {
            probes.add(new ProcessBuilder("timeout", "3", "ip", "netns", "exec", own(h), "bash", "-c", "exec 3<>/dev/tcp/" + prefix + ".1/" + port)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        List<String> cut = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            Process p = probes.get(i);
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            if (p.waitFor() != 0) cut.add(hostNames.get(i));
        }
        return cut;
    }

    private synchronized int listen() throws IOException {
        if (switchPort == null) {
            java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName(prefix + ".1"));
            Thread.ofPlatform().daemon().name("netns-probe-" + name).start(() -> {
                while (!s.isClosed()) {
                    try (java.net.Socket c = s.accept()) {
                        c.getInputStream().available(); // connected: that is the probe's answer
                    } catch (IOException closed) {
                        // closed with the namespaces, or a probe went away
                    }
                }
            });
            switchPort = s;
        }
        return switchPort.getLocalPort();
    }

    private String own(String host) {
        if (!host.matches(java.util.regex.Pattern.quote(name) + "h\\d+")) throw new IllegalArgumentException(host + " is not one of this run's namespaces " + host(0) + ".." + host(hosts - 1));
        return host;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (switchPort != null) switchPort.close();
        run(List.of(script.toString(), "down", name));
        Files.deleteIfExists(Path.of(agent + ".log"));
        Files.deleteIfExists(agent);
        Files.deleteIfExists(agent.getParent());
    }

    private static Path script() {
        List<Path> starts = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
        try {
            starts.add(Path.of(Netns.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
        } catch (Exception ignored) {
            // no code source: the working directory only
        }
        for (Path s : starts) for (Path p = s; p != null; p = p.getParent()) if (Files.isExecutable(p.resolve("scripts/netns-hosts.sh"))) return p.resolve("scripts/netns-hosts.sh");
        return null;
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " did not end within 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IOException(cmd + " exited " + p.exitValue() + ": " + text.strip());
        return text;
    }
}
