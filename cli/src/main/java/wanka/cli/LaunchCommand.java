package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.dist.launch.Launch;
import wanka.train.ft.Agent;
import wanka.train.ft.HostPool;
import wanka.train.ft.StatusPage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Run a wanka command as N ranks: under mpirun, one process per rank, when Open MPI is installed;",
                "otherwise as N in-process ranks (threads) of one JVM, and it says so.",
                "With --supervise the launcher is the job's agent: it reads every rank's heartbeats, detects a dead process,",
                "a hung rank and stragglers, and restarts the job from its newest good checkpoint (--resume auto) without a person."},
        footer = {"", "Examples:", "  wanka launch --nproc 4 -- pretrain --tp 2 --dp 2 --data train.tokens --out runs/p",
                "  wanka launch --nproc 2 --supervise --status-port 8080 -- pretrain --dp 2 --data train.tokens --out runs/p --checkpoint-every 10"})
final class LaunchCommand implements Callable<Integer> {
    @Option(names = "--nproc", required = true, paramLabel = "N", description = "Number of ranks.")
    int nproc;

    @Option(names = "--supervise", description = "Act as the job's agent: heartbeats, fault detection, automatic restarts from the newest checkpoint.")
    boolean supervise;

    @Option(names = "--restarts", defaultValue = "10", paramLabel = "N", description = "With --supervise: restarts before giving up (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--hang-timeout", defaultValue = "10", paramLabel = "SECONDS", description = {"With --supervise: the least time a rank may be silent or go without finishing a step before it is hung",
            "(the job is then killed and restarted); the limits grow to --hang-factor times the run's own slowest step and longest gap between beats (default: ${DEFAULT-VALUE})."})
    double hangTimeout;

    @Option(names = "--hang-factor", defaultValue = "4", paramLabel = "X", description = "With --supervise: how many times the run's own slowest recent step (or longest beat gap) a rank may take before it is hung (default: ${DEFAULT-VALUE}).")
    double hangFactor;

    @Option(names = "--hosts", paramLabel = "HOST:SLOTS,...", description = "With --supervise: the hosts to run on (mpirun --host); a failing rank's host is excluded and replaced by a spare.")
    String hosts;

    @Option(names = "--spare-hosts", paramLabel = "HOST:SLOTS,...", description = "With --supervise and --hosts: hosts that replace an excluded one, keeping the layout; with none left the job goes on with a smaller --dp.")
    String spareHosts;

    @Option(names = "--mpirun-arg", paramLabel = "ARG", description = "An extra argument for mpirun (repeat it), e.g. --mpirun-arg=--mca --mpirun-arg=plm_rsh_agent --mpirun-arg=/path/agent.")
    List<String> mpirunArgs = new ArrayList<>();

    @Option(names = "--straggler-factor", defaultValue = "3", paramLabel = "X", description = "With --supervise: a rank whose step takes X times the median is reported as a straggler (default: ${DEFAULT-VALUE}).")
    double stragglerFactor;

    @Option(names = "--shrink-dp", description = "With --supervise: restart with half the data-parallel ranks (--dp halved, --micro-batch doubled) after a fault, when no spare is available.")
    boolean shrinkDp;

    @Option(names = "--status-port", defaultValue = "-1", paramLabel = "PORT", description = "With --supervise: serve the status page (loss curve, fault timeline) on 127.0.0.1:PORT; 0 picks a free port; -1 none (default).")
    int statusPort;

    @Option(names = "--startup-cache", defaultValue = "none", paramLabel = "KIND", description = {"With --supervise: what restarted ranks' JVMs start from: none, appcds (an AppCDS archive) or aot",
            "(a JDK 25 AOT cache), made once in <out>/startup-cache by a 3-step warm-up of the command in one JVM (default: ${DEFAULT-VALUE})."})
    String startupCache;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The wanka command and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!supervise) {
            Launch.Plan plan = plan(nproc, command);
            System.err.println("wanka launch: " + (plan.mpi() ? "Open MPI, " + nproc + " processes" : plan.note()));
            return Launch.processBuilder(plan).inheritIO().start().waitFor();
        }
        int dp = intOption(command, "--dp", 1);
        Path out = Path.of(option(command, "--out").orElseThrow(() -> new IllegalArgumentException("--supervise needs the command's --out (where the ranks' heartbeats and checkpoints are)")));
        HostPool pool = hosts == null ? null : HostPool.parse(hosts, spareHosts, Math.max(1, nproc / Math.max(1, hosts.split(",").length)));
        if (pool != null && pool.slots() != nproc) throw new IllegalArgumentException("--hosts " + hosts + " has " + pool.slots() + " slots, --nproc is " + nproc);
        if (pool == null && spareHosts != null) throw new IllegalArgumentException("--spare-hosts needs --hosts");
        StartupCache.Kind kind = StartupCache.Kind.valueOf(startupCache.toUpperCase(java.util.Locale.ROOT));
        Path cacheDir = out.resolve("startup-cache");
        StartupCache cache = StartupCache.create(kind, cacheDir, nproc, StartupCache.warmup(command, cacheDir.resolve("warmup"), nproc), m -> System.err.println("wanka agent: " + m));
        Agent.Launcher launcher = new Agent.Launcher() {
            @Override
            public Process start(Agent.Attempt a) throws java.io.IOException {
                return Launch.processBuilder(onHosts(plan(ranks(a), argsFor(command, a, dp), cache.jvmOptions()), a.hosts(), mpirunArgs)).inheritIO().start();
            }

            @Override
            public int ranks(Agent.Attempt a) {
                return nproc / dp * a.dp();
            }
        };
        Agent agent = new Agent(out, new Agent.Settings(restarts, Duration.ofMillis((long) (hangTimeout * 1000)), hangFactor, Duration.ofMinutes(5), stragglerFactor, Duration.ofMillis(200), shrinkDp),
                pool, launcher, m -> System.err.println("wanka agent: " + m));
        StatusPage page = statusPort >= 0 ? StatusPage.serveLocal(agent, statusPort) : null;
        if (page != null) System.err.println("wanka agent: status page on http://127.0.0.1:" + page.port() + "/");
        Thread ticker = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("wanka agent: " + StatusPage.line(agent));
            }
        });
        try {
            boolean resume = command.contains("--resume");
            return agent.run(dp, resume).finished() ? 0 : 1;
        } finally {
            ticker.interrupt();
            if (page != null) page.close();
        }
    }

    /** {@code plan} with mpirun told the hosts ({@code --host a:2,b:2}) and the extra arguments; unchanged when in-process. */
    static Launch.Plan onHosts(Launch.Plan plan, List<HostPool.Host> hosts, List<String> extra) {
        if (!plan.mpi() || (hosts.isEmpty() && extra.isEmpty())) return plan;
        List<String> cmd = new ArrayList<>(plan.command().subList(0, 3));
        if (!hosts.isEmpty()) cmd.addAll(List.of("--host", String.join(",", hosts.stream().map(HostPool.Host::toString).toList())));
        cmd.addAll(extra);
        cmd.addAll(plan.command().subList(3, plan.command().size()));
        return new Launch.Plan(cmd, plan.environment(), plan.note(), plan.mpi());
    }

    static Launch.Plan plan(int ranks, List<String> command) {
        return plan(ranks, command, List.of());
    }

    /**
     * {@link #plan(int, List)} with extra options for the ranks' JVMs (e.g. a {@link StartupCache}'s). With options, mpirun
     * starts java through {@code env}: mpirun puts its working directory in front of a {@code java} program's class path,
     * and a class-data archive only maps when the class path is the one it was made with.
     */
    static Launch.Plan plan(int ranks, List<String> command, List<String> jvmOptions) {
        List<String> javaArgs = new ArrayList<>(jvmOptions);
        javaArgs.add(Main.class.getName());
        javaArgs.addAll(command);
        Launch.Plan plan = Launch.plan(ranks, System.getProperty("java.class.path"), javaArgs);
        if (jvmOptions.isEmpty() || !plan.mpi()) return plan;
        List<String> cmd = new ArrayList<>(plan.command());
        cmd.add(cmd.size() - StartupCache.javaCommand(plan).size(), "/usr/bin/env");
        return new Launch.Plan(cmd, plan.environment(), plan.note(), plan.mpi());
    }

    /**
     * The command for an attempt: a restart resumes ({@code --resume auto}, no {@code --overwrite}); a smaller
     * data-parallel size keeps the sequences per step (micro-batch × dp) and so the data order.
     */
    static List<String> argsFor(List<String> command, Agent.Attempt a, int dp) {
        List<String> args = new ArrayList<>(command);
        if (a.resume()) {
            args.remove("--overwrite");
            if (!args.contains("--resume")) args.addAll(List.of("--resume", "auto"));
        }
        if (a.dp() != dp) {
            set(args, "--dp", Integer.toString(a.dp()));
            set(args, "--micro-batch", Integer.toString(intOption(command, "--micro-batch", intOption(command, "--batch", 1)) * (dp / a.dp())));
        }
        return args;
    }

    private static void set(List<String> args, String name, String value) {
        int i = args.indexOf(name);
        if (i >= 0 && i + 1 < args.size()) args.set(i + 1, value);
        else args.addAll(List.of(name, value));
    }

    static java.util.Optional<String> option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? java.util.Optional.of(args.get(i + 1)) : java.util.Optional.empty();
    }

    private static int intOption(List<String> args, String name, int otherwise) {
        return option(args, name).map(Integer::parseInt).orElse(otherwise);
    }
}
