package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.data.TokenShardWriter;
import wanka.dist.launch.Launch;
import wanka.model.ModelIO;
import wanka.model.TeleChat2Config;
import wanka.train.AssembledCheckpoint;
import wanka.train.ft.Agent;
import wanka.train.ft.Event;
import wanka.train.ft.Heartbeat;
import wanka.train.ft.HostPool;
import wanka.train.ft.StatusPage;
import wanka.train.store.CheckpointStore;
import wanka.train.store.DirectoryStore;
import wanka.train.store.PeerMemory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Fault-injection harness (issue 10): trains a small model as a multi-process job under the agent (wanka launch --supervise),",
                "injects faults at random steps from --seed (SIGKILL and SIGSTOP of random ranks, a slow rank, a corrupted or truncated checkpoint,",
                "the level-3 store going away, a full level-1 tmpfs when root), checks after each that training resumed from a valid checkpoint",
                "with no committed step lost, and at the end that the final weights equal an uninterrupted run's bit for bit.",
                "Writes <out>/chaos-report.html and <out>/chaos-report.md."})
final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Work directory (created; an earlier chaos run there is replaced).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the fault schedule (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--faults", defaultValue = "50", description = "Faults to inject (default: ${DEFAULT-VALUE}).")
    int faults;

    @Option(names = "--nproc", defaultValue = "2", description = "Ranks (data-parallel, ZeRO-1) (default: ${DEFAULT-VALUE}).")
    int nproc;

    @Option(names = "--hang-timeout", defaultValue = "4", paramLabel = "SECONDS", description = "The agent's least hang timeout; the limits follow the run's own step times (default: ${DEFAULT-VALUE}).")
    double hangTimeout;

    @Option(names = "--spares", defaultValue = "2", description = "Spare hosts (excluded hosts are readmitted as spares once the job runs again) (default: ${DEFAULT-VALUE}).")
    int spares;

    @Option(names = "--no-netns", description = "Do not put the ranks into network namespaces even when root with iproute2 (hosts are then simulated: one level-1 area each).")
    boolean noNetns;

    /** One injected fault and what followed. */
    record Outcome(int index, ChaosFault fault, long step, long committedBefore, long resumedAt, double detectMs, double resumeMs, boolean ok, String note, int attempt) {
        Outcome(int index, ChaosFault fault, long step, long committedBefore, long resumedAt, double detectMs, double resumeMs, boolean ok, String note) {
            this(index, fault, step, committedBefore, resumedAt, detectMs, resumeMs, ok, note, -1);
        }
    }

    @Option(names = "--startup-cache", defaultValue = "rotate", paramLabel = "KIND", description = {"What the ranks' JVMs start from: none, appcds (an AppCDS archive), aot (a JDK 25 AOT cache),",
            "or rotate (attempt n uses none, appcds, aot in turn, to compare restart times in one run) (default: ${DEFAULT-VALUE}). Made once in <out>/startup-cache."})
    String startupCache;

    private static final Pattern RESUMED = Pattern.compile("resumed from (\\S+) \\(step (\\d+)");
    private static final Pattern FAILED_RANK = Pattern.compile("process rank (\\d+) with PID");
    private static final Pattern HELD = Pattern.compile("the steps were held ([0-9.]+) ms per checkpoint");

    @Override
    public Integer call() throws Exception {
        deleteTree(out);
        Files.createDirectories(out);
        TeleChat2Config cfg = TeleChat2Config.of(100, 64, 2, 4, 2, 128, 64);
        Path config = out.resolve("config.json");
        cfg.write(config);
        Path shard = out.resolve("train.tokens");
        Random data = new Random(0);
        try (TokenShardWriter w = new TokenShardWriter(shard, 100, 2)) {
            for (int d = 0; d < 400; d++) {
                int start = 3 + data.nextInt(30), step = 1 + data.nextInt(3);
                int[] doc = new int[40];
                for (int i = 0; i < doc.length; i++) doc[i] = 3 + Math.floorMod(start + i * step - 3, 97);
                w.addDocument(doc);
            }
        }
        long steps = 6L * faults + 20;
        boolean root = "root".equals(System.getProperty("user.name"));
        Path l1 = out.resolve("memory"), l3 = out.resolve("shared");
        boolean tmpfs = root && mountTmpfs(l1, "16m");
        Netns netns = noNetns ? null : Netns.start(nproc + spares);
        if (netns == null) System.err.println("chaos: hosts simulated (one level-1 area each); no network-namespace fault: " + (noNetns ? "--no-netns" : Netns.whyNot()));
        List<String> hostNames = new ArrayList<>();
        for (int h = 0; h < nproc + spares; h++) hostNames.add(netns != null ? netns.host(h) : "h" + h);
        HostPool pool = new HostPool(hostNames.subList(0, nproc).stream().map(h -> new HostPool.Host(h, 1)).toList(),
                hostNames.subList(nproc, hostNames.size()).stream().map(h -> new HostPool.Host(h, 1)).toList(), List.of());
        List<String> common = new ArrayList<>(List.of("pretrain", "--config", config.toString(), "--data", shard.toString(), "--seq", "32", "--dp", Integer.toString(nproc),
                "--micro-batch", "2", "--global-batch", Integer.toString(2 * nproc), "--zero", "--steps", Long.toString(steps), "--threads", "1", "--quiet", "--seed", "7",
                "--checkpoint-every", "3", "--keep-checkpoints", "3", "--memory-peer-copies", "--memory-every", "1", "--memory-keep", "2", "--shared-every", "5", "--shared-keep", "2"));
        List<String> job = new ArrayList<>(common);
        job.addAll(List.of("--out", out.resolve("run").toString(), "--memory-checkpoints", l1.resolve(PeerMemory.HOST).toString(), "--shared-checkpoints", l3.toString(), "--async-checkpoints"));
        List<String> reference = new ArrayList<>(common); // the same levels, written synchronously: the stall to compare with
        reference.addAll(List.of("--out", out.resolve("reference").toString(), "--memory-checkpoints", out.resolve("reference-memory").resolve(PeerMemory.HOST).toString(),
                "--shared-checkpoints", out.resolve("reference-shared").toString(), "--simulated-hosts", String.join(",", hostNames.subList(0, nproc))));

        System.err.printf("chaos: %d faults over %d steps, %d ranks on hosts %s (spares %s)%s, seed %d; uninterrupted reference run first%n", faults, steps, nproc,
                pool.names(), pool.spares().stream().map(HostPool.Host::name).toList(), netns != null ? " in network namespaces" : " (simulated)", seed);
        long t0 = System.nanoTime();
        Process ref = Launch.processBuilder(LaunchCommand.plan(nproc, reference)).redirectErrorStream(true).redirectOutput(out.resolve("reference.log").toFile()).start();
        if (ref.waitFor() != 0) throw new IllegalStateException("the reference run failed; see " + out.resolve("reference.log"));
        System.err.printf("chaos: reference run took %.1f s%n", (System.nanoTime() - t0) / 1e9);

        List<StartupCache> caches = startupCaches(common, hostNames.subList(0, nproc));
        Path run = out.resolve("run");
        Files.createDirectories(run.resolve("agent"));
        Agent agent = new Agent(run, new Agent.Settings(4 * faults + 10, Duration.ofMillis((long) (hangTimeout * 1000)), 4, Duration.ofSeconds(120), 3.0, Duration.ofMillis(100), false), pool, new Agent.Launcher() {
            @Override
            public Process start(Agent.Attempt a) throws IOException {
                List<String> args = LaunchCommand.argsFor(job, a, nproc);
                if (netns == null) args.addAll(List.of("--simulated-hosts", String.join(",", a.hosts().stream().map(HostPool.Host::name).toList())));
                Launch.Plan plan = LaunchCommand.plan(nproc, args, cacheOf(caches, a.number()).jvmOptions());
                if (netns != null) plan = LaunchCommand.onHosts(plan, a.hosts(), netns.mpirunArgs());
                return Launch.processBuilder(plan).redirectErrorStream(true).redirectOutput(log(a).toFile()).start();
            }

            private Path log(Agent.Attempt a) {
                return run.resolve("agent").resolve("attempt-" + a.number() + ".log");
            }

            @Override
            public int ranks(Agent.Attempt a) {
                return nproc;
            }

            @Override
            public List<String> unreachableHosts(Agent.Attempt a) throws IOException, InterruptedException {
                return netns == null ? List.of() : netns.unreachable(a.hosts().stream().map(HostPool.Host::name).toList());
            }

            @Override
            public java.util.OptionalInt failedRank(Agent.Attempt a) {
                try {
                    Matcher m = FAILED_RANK.matcher(Files.readString(log(a)));
                    return m.find() ? java.util.OptionalInt.of(Integer.parseInt(m.group(1))) : java.util.OptionalInt.empty();
                } catch (IOException e) {
                    return java.util.OptionalInt.empty();
                }
            }
        }, m -> { });
        Agent.Outcome[] result = new Agent.Outcome[1];
        Throwable[] failure = new Throwable[1];
        Thread supervisor = Thread.ofPlatform().name("agent").start(() -> {
            try {
                result[0] = agent.run(nproc, false);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        List<Outcome> outcomes = new ArrayList<>();
        Random rng = new Random(seed);
        List<ChaosFault> kinds = new ArrayList<>(Arrays.asList(ChaosFault.values()));
        if (!tmpfs) kinds.remove(ChaosFault.FULL_DISK);
        if (netns == null) kinds.remove(ChaosFault.NETNS_CUT);
        List<Path> l1Areas = hostNames.stream().map(l1::resolve).toList();
        List<CheckpointStore> stores = new ArrayList<>();
        for (Path a : l1Areas) stores.add(DirectoryStore.at(a));
        stores.add(DirectoryStore.ofRun(run));
        stores.add(DirectoryStore.at(l3));
        try (StatusPage page = StatusPage.serveLocal(agent, 0)) {
            System.err.println("chaos: status page on http://127.0.0.1:" + page.port() + "/");
            for (int i = 0; i < faults && supervisor.isAlive(); i++) {
                long at = waitForSteps(agent, nproc, 2 + rng.nextInt(3));
                if (at < 0) break;
                ChaosFault f = i < kinds.size() ? kinds.get(i) : kinds.get(rng.nextInt(kinds.size())); // every kind once, then at random
                Outcome o = inject(i, f, agent, rng, stores, run, l1, l3, netns);
                outcomes.add(o);
                System.err.printf(Locale.ROOT, "chaos: fault %2d %-10s at step %3d: %s%n", i + 1, f, o.step(), o.ok() ? "survived" + (o.note().isEmpty() ? "" : " (" + o.note() + ")") : "FAILED " + o.note());
                for (HostPool.Host h : agent.pool().excluded()) { // repaired: back among the spares
                    if (netns != null) netns.linkUp(h.name());
                    agent.readmit(h.name());
                }
            }
            supervisor.join();
            Files.writeString(out.resolve("status.html"), statusHtml(page));
        } finally {
            if (tmpfs) new ProcessBuilder("umount", l1.toString()).start().waitFor();
            if (netns != null) netns.close();
        }
        if (failure[0] != null) throw new IllegalStateException("the agent failed: " + failure[0], failure[0]);
        boolean finished = result[0] != null && result[0].finished();
        Map<String, float[]> a = ModelIO.readArrays(out.resolve("reference/model/model.safetensors"));
        Map<String, float[]> b = finished ? ModelIO.readArrays(run.resolve("model/model.safetensors")) : Map.of();
        boolean equal = finished && a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> Arrays.equals(a.get(k), b.get(k)));
        double heldSync = held(out.resolve("reference.log")), heldAsync = held(run.resolve("agent").resolve("attempt-" + agent.attempt().number() + ".log"));
        ChaosReport.write(out, seed, steps, nproc, outcomes, agent.events(), finished, equal, (System.nanoTime() - t0) / 1e9, heldSync, heldAsync,
                netns != null ? "network namespaces " + hostNames : "simulated hosts " + hostNames, loadAverage(),
                ChaosReport.startups(outcomes, n -> cacheOf(caches, n).kind(), n -> run.resolve("agent").resolve("attempt-" + n + ".log")));
        System.err.printf("chaos: %d faults injected, %d survived; job %s; final weights %s the uninterrupted run's; report %s%n",
                outcomes.size(), outcomes.stream().filter(Outcome::ok).count(), finished ? "finished" : "DID NOT FINISH", equal ? "bitwise equal to" : "DIFFER from",
                out.resolve("chaos-report.html"));
        return finished && equal && outcomes.stream().allMatch(Outcome::ok) ? 0 : 1;
    }

    /** The startup caches the attempts use in turn ({@code --startup-cache}), made now by a short warm-up run of the job. */
    private List<StartupCache> startupCaches(List<String> common, List<String> hosts) throws IOException, InterruptedException {
        List<StartupCache.Kind> kinds = switch (startupCache.toLowerCase(Locale.ROOT)) {
            case "rotate" -> List.of(StartupCache.Kind.NONE, StartupCache.Kind.APPCDS, StartupCache.Kind.AOT);
            case "none" -> List.of(StartupCache.Kind.NONE);
            case "appcds" -> List.of(StartupCache.Kind.APPCDS);
            case "aot" -> List.of(StartupCache.Kind.AOT);
            default -> throw new IllegalArgumentException("--startup-cache must be none, appcds, aot or rotate, got " + startupCache);
        };
        Path dir = out.resolve("startup-cache");
        List<StartupCache> caches = new ArrayList<>();
        for (StartupCache.Kind k : kinds) {
            Path w = dir.resolve("warmup-" + k.name().toLowerCase(Locale.ROOT));
            List<String> warmup = new ArrayList<>(common); // the job itself, a few steps, every level written
            warmup.set(warmup.indexOf("--steps") + 1, "7");
            warmup.addAll(List.of("--out", w.resolve("run").toString(), "--memory-checkpoints", w.resolve("memory").resolve(PeerMemory.HOST).toString(),
                    "--shared-checkpoints", w.resolve("shared").toString(), "--async-checkpoints", "--simulated-hosts", String.join(",", hosts)));
            StartupCache c = StartupCache.create(k, dir, nproc, warmup, m -> System.err.println("chaos: " + m));
            if (c.kind() == k) caches.add(c);
        }
        System.err.println("chaos: the attempts start from " + caches.stream().map(c -> c.kind().label()).toList() + (caches.size() > 1 ? " in turn" : ""));
        return caches;
    }

    private static StartupCache cacheOf(List<StartupCache> caches, int attempt) {
        return caches.isEmpty() ? StartupCache.NONE : caches.get(attempt % caches.size());
    }

    /** "the steps were held X ms per checkpoint" from a run's log; NaN if it did not say. */
    private static double held(Path log) {
        try {
            Matcher m = HELD.matcher(Files.readString(log));
            double v = Double.NaN;
            while (m.find()) v = Double.parseDouble(m.group(1));
            return v;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String statusHtml(StatusPage page) throws Exception {
        var c = java.net.http.HttpClient.newHttpClient();
        return c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + page.port() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the running attempt has advanced {@code steps} steps past now on every rank; the step, or -1 if the job ended. */
    private static long waitForSteps(Agent agent, int ranks, int steps) throws InterruptedException {
        long target = -1;
        while (true) {
            Process p = agent.process();
            List<Heartbeat> beats = Heartbeat.readAll(agent.outDir()).stream().filter(b -> b.timeMs() >= agent.attemptStartMs()).toList();
            if (p != null && p.isAlive() && beats.size() == ranks) {
                long min = beats.stream().mapToLong(Heartbeat::step).min().orElse(0);
                if (target < 0) target = min + steps;
                if (min >= target) return min;
            }
            if (agent.events().stream().anyMatch(e -> e.kind() == Event.Kind.FINISHED || e.kind() == Event.Kind.GAVE_UP)) return -1;
            Thread.sleep(20);
        }
    }

    private Outcome inject(int i, ChaosFault f, Agent agent, Random rng, List<CheckpointStore> stores, Path run, Path l1, Path l3, Netns netns) throws Exception {
        List<Heartbeat> beats = Heartbeat.readAll(run).stream().filter(b -> b.timeMs() >= agent.attemptStartMs()).toList();
        Heartbeat victim = beats.get(rng.nextInt(beats.size()));
        long step = agent.lastStep();
        int eventsBefore = agent.events().size();
        long injectedMs = System.currentTimeMillis();
        String note = "", cutHost = null;
        switch (f) {
            case KILL -> signal("KILL", victim.pid());
            case STOP -> signal("STOP", victim.pid());
            case SLOW -> {
                long until = System.currentTimeMillis() + 4000;
                while (System.currentTimeMillis() < until) {
                    signal("STOP", victim.pid());
                    Thread.sleep(150);
                    signal("CONT", victim.pid());
                    Thread.sleep(50);
                }
            }
            case HOST_LOST -> {
                String host = agent.pool().hostOf(victim.rank());
                signal("KILL", victim.pid());
                deleteTree(l1.resolve(host));
                note = "host " + host + " lost with its level-1 area";
            }
            case NETNS_CUT -> {
                cutHost = agent.pool().hostOf(victim.rank());
                netns.linkDown(cutHost);
                note = "host " + cutHost + "'s link set down";
            }
            case CORRUPT, TRUNCATE -> {
                Path file = damageNewest(stores, run, f == ChaosFault.CORRUPT, rng);
                note = "damaged " + file;
                signal("KILL", victim.pid());
            }
            case STORE_AWAY -> {
                Path away = l3.resolveSibling("shared-away");
                Files.createDirectories(l3);
                Files.move(l3, away);
                Files.writeString(l3, "not a directory: the store is away\n"); // writes there now fail
                waitSteps(agent, 6);
                Files.delete(l3);
                Files.move(away, l3);
            }
            case FULL_DISK -> {
                Path filler = l1.resolve("filler");
                try (var ch = Files.newOutputStream(filler)) {
                    byte[] block = new byte[1 << 16];
                    while (true) ch.write(block);
                } catch (IOException full) {
                    // ENOSPC: the tmpfs is full
                }
                waitSteps(agent, 3);
                Files.delete(filler);
            }
        }
        agent.note(Event.Kind.INJECTED, step, f + " rank " + victim.rank() + (note.isEmpty() ? "" : "; " + note));
        long committed = newestVerified(stores, run);
        if (!f.restarts) {
            long before = agent.lastStep();
            waitSteps(agent, 2);
            List<Event> since = agent.events().subList(eventsBefore, agent.events().size());
            boolean restarted = since.stream().anyMatch(e -> e.kind() == Event.Kind.DIED || e.kind() == Event.Kind.HUNG);
            if (f == ChaosFault.SLOW) note = since.stream().anyMatch(e -> e.kind() == Event.Kind.STRAGGLER && e.detail().startsWith("rank " + victim.rank() + ":"))
                    ? "flagged as a straggler" : "not flagged as a straggler";
            return new Outcome(i, f, step, committed, -1, 0, 0, !restarted && agent.lastStep() > before, restarted ? "an unexpected restart" : note);
        }
        // Wait for detection and for the next attempt's first step.
        Event detected = null, excluded = null, resumed = null;
        while (resumed == null) {
            for (Event e : agent.events().subList(eventsBefore, agent.events().size())) {
                if (detected == null && (e.kind() == Event.Kind.DIED || e.kind() == Event.Kind.HUNG)) detected = e;
                if (detected != null && excluded == null && e.kind() == Event.Kind.EXCLUDED) {
                    excluded = e;
                    if (f == ChaosFault.NETNS_CUT) { // repaired once the agent has chosen which host to exclude (it probes the hosts first)
                        netns.linkUp(cutHost);
                        note += excluded.detail().startsWith("host " + cutHost + " excluded") ? "; the cut host was excluded" : "; NOT the cut host excluded: " + excluded.detail();
                    }
                }
                if (detected != null && e.kind() == Event.Kind.RESUMED) resumed = e;
                if (e.kind() == Event.Kind.GAVE_UP) return new Outcome(i, f, step, committed, -1, 0, 0, false, "the agent gave up");
            }
            Thread.sleep(10);
        }
        Agent.Attempt attempt = agent.attempt();
        long resumedAt = -1;
        while (resumedAt < 0) {
            Path log = run.resolve("agent").resolve("attempt-" + attempt.number() + ".log");
            if (Files.exists(log)) {
                Matcher m = RESUMED.matcher(Files.readString(log));
                if (m.find()) resumedAt = Long.parseLong(m.group(2));
            }
            if (agent.events().stream().anyMatch(e -> e.kind() == Event.Kind.FINISHED)) break;
            Thread.sleep(10);
        }
        while (Heartbeat.readAll(run).stream().noneMatch(b -> b.timeMs() >= agent.attemptStartMs()) && agent.process() != null) Thread.sleep(5);
        long firstBeat = Heartbeat.readAll(run).stream().filter(b -> b.timeMs() >= agent.attemptStartMs()).mapToLong(Heartbeat::timeMs).min().orElse(System.currentTimeMillis());
        boolean kept = resumedAt >= committed, rightHost = f != ChaosFault.NETNS_CUT || note.contains("; the cut host was excluded");
        return new Outcome(i, f, step, committed, resumedAt, detected.timeMs() - injectedMs, firstBeat - detected.timeMs(), kept && rightHost,
                kept ? note : "resumed at " + resumedAt + " but step " + committed + " was committed", attempt.number());
    }

    private static void waitSteps(Agent agent, int n) throws InterruptedException {
        long target = agent.lastStep() + n;
        long deadline = System.currentTimeMillis() + 60_000;
        while (agent.lastStep() < target && System.currentTimeMillis() < deadline
                && agent.events().stream().noneMatch(e -> e.kind() == Event.Kind.FINISHED)) Thread.sleep(10);
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
    }

    /** The newest committed step over the levels whose checkpoint verifies and reads (what a resume must reach at least). */
    static long newestVerified(List<CheckpointStore> stores, Path run) {
        long best = -1;
        for (CheckpointStore s : stores) {
            try {
                for (long step : s.committedSteps()) {
                    if (step <= best) break;
                    try {
                        AssembledCheckpoint.read(s.fetch(step, run.resolve(".chaos-fetch")));
                        best = step;
                        break;
                    } catch (IOException | RuntimeException damaged) {
                        // skipped, as a resume skips it
                    }
                }
            } catch (IOException ignored) {
                // a store that is away
            }
        }
        return best;
    }

    /** Flips a byte in (or cuts short) a shard of the newest committed checkpoint of every copy of the fastest level that has one. */
    private static Path damageNewest(List<CheckpointStore> stores, Path run, boolean flip, Random rng) throws IOException {
        long newest = -1;
        for (CheckpointStore s : stores) for (long st : s.committedSteps()) newest = Math.max(newest, st);
        Path damaged = null;
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> areas = Files.list(run.getParent().resolve("memory"))) {
            areas.filter(Files::isDirectory).sorted().forEach(roots::add);
        }
        roots.addAll(List.of(run.resolve("checkpoints"), run.getParent().resolve("shared")));
        for (Path root : roots) {
            Path dir = root.resolve(String.format("step-%08d", newest));
            if (!Files.isDirectory(dir)) continue;
            List<Path> shards;
            try (Stream<Path> s = Files.walk(dir)) {
                shards = s.filter(p -> p.getFileName().toString().equals("shard.safetensors")).sorted().toList();
            }
            if (shards.isEmpty()) continue;
            Path f = shards.get(rng.nextInt(shards.size()));
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                if (flip) {
                    long at = r.length() - 1 - rng.nextInt((int) Math.min(1000, r.length() - 1));
                    r.seek(at);
                    int b = r.read();
                    r.seek(at);
                    r.write(b ^ 0x40);
                } else {
                    r.setLength(r.length() / 2);
                }
            }
            damaged = f;
        }
        return damaged;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    private static boolean mountTmpfs(Path dir, String size) {
        try {
            Files.createDirectories(dir);
            return new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()).inheritIO().start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
