package wanka.train.ft;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Supervises a training job without a person (torchft's and NVIDIA's resiliency extension's role, at one host's
 * scale): starts it, reads every rank's {@link Heartbeat}, and detects a dead process (the launcher exits non-zero:
 * Open MPI ends the whole job when one rank dies), a hung rank and stragglers ({@link HealthMonitor}: limits that
 * follow the run's own step times and beat gaps). After a death or a hang it restarts the job, which resumes from the
 * newest checkpoint that verifies. With a {@link HostPool} it first excludes the failing rank's host and runs on a
 * spare in its place (the layout kept) or, with no spare left, on the remaining hosts with a smaller data-parallel
 * size; without one, {@code shrinkDp} halves the data-parallel size at each restart. It gives up after
 * {@code restarts} restarts. Every event goes to the timeline ({@link #events}) that the status views show.
 */
public final class Agent {

    /**
     * How the agent judges and reacts: {@code hangTimeout} is the least time a rank may be silent or without a finished
     * step before it counts as hung; the limits grow to {@code hangFactor} × what the run itself shows (see
     * {@link HealthMonitor}).
     */
    public record Settings(int restarts, Duration hangTimeout, double hangFactor, Duration startTimeout, double stragglerFactor, Duration poll, boolean shrinkDp) {
        public static Settings defaults() {
            return new Settings(10, Duration.ofSeconds(10), 4, Duration.ofMinutes(5), 3.0, Duration.ofMillis(200), false);
        }

        HealthMonitor.Limits limits() {
            return new HealthMonitor.Limits(hangTimeout.toMillis(), hangFactor, startTimeout.toMillis(), stragglerFactor, 20);
        }
    }

    /** One start of the job: the how-many-th, whether it resumes, the data-parallel size and the hosts to run with (empty: the launcher's own). */
    public record Attempt(int number, boolean resume, int dp, List<HostPool.Host> hosts) {
        public Attempt {
            hosts = List.copyOf(hosts);
        }

        public Attempt(int number, boolean resume, int dp) {
            this(number, resume, dp, List.of());
        }
    }

    /** Starts the job's processes for an attempt (e.g. {@code mpirun … wanka pretrain … --resume auto}). */
    @FunctionalInterface
    public interface Launcher {
        Process start(Attempt attempt) throws IOException;

        /** How many ranks an attempt runs (the agent expects a heartbeat from each). */
        default int ranks(Attempt attempt) {
            return attempt.dp();
        }

        /**
         * Which of the attempt's hosts cannot be reached now (their network is cut), asked after every failure; the agent
         * excludes such a host rather than the host of the rank that was first seen hung (with a cut link every rank is
         * stuck). Empty when the launcher cannot tell.
         */
        default List<String> unreachableHosts(Attempt attempt) throws IOException, InterruptedException {
            return List.of();
        }

        /** Which rank failed in an attempt that ended, if the launcher knows (e.g. from mpirun's report). */
        default java.util.OptionalInt failedRank(Attempt attempt) {
            return java.util.OptionalInt.empty();
        }
    }

    /** How the supervision ended. */
    public record Outcome(boolean finished, int restarts, List<Event> events) {
    }

    private final Path outDir;
    private final Settings settings;
    private final Launcher launcher;
    private final Consumer<String> log;
    private volatile HostPool pool;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile Process current;
    private volatile Attempt attempt;
    private volatile long attemptStartMs;

    public Agent(Path outDir, Settings settings, Launcher launcher, Consumer<String> log) {
        this(outDir, settings, null, launcher, log);
    }

    /** An agent that runs the job on {@code pool}'s hosts (null: wherever the launcher runs it), replacing failed ones by spares. */
    public Agent(Path outDir, Settings settings, HostPool pool, Launcher launcher, Consumer<String> log) {
        this.pool = pool;
        this.outDir = outDir;
        this.settings = settings;
        this.launcher = launcher;
        this.log = log;
    }

    /** The timeline so far. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    public Attempt attempt() {
        return attempt;
    }

    /** The process of the attempt running now (null between attempts). */
    public Process process() {
        return current;
    }

    /** Wall-clock start of the attempt running now. */
    public long attemptStartMs() {
        return attemptStartMs;
    }

    public Path outDir() {
        return outDir;
    }

    /** Records an event from outside (the chaos harness's injected faults). */
    public void note(Event.Kind kind, long step, String detail) {
        events.add(new Event(System.currentTimeMillis(), kind, step, detail));
        log.accept(kind.name().toLowerCase(java.util.Locale.ROOT) + (step >= 0 ? " at step " + step : "") + ": " + detail);
    }

    /** The hosts now (null: no host pool). */
    public HostPool pool() {
        return pool;
    }

    /** Puts excluded host {@code host} back among the spares (it was repaired). */
    public synchronized void readmit(String host) {
        pool = pool.readmit(host);
        note(Event.Kind.EXCLUDED, -1, "host " + host + " readmitted as a spare");
    }

    private synchronized HostPool exclude(String host) {
        HostPool next = pool.without(host);
        pool = next;
        return next;
    }

    /** Runs the job to its end, restarting it after faults; the supervising thread's loop. */
    public Outcome run(int initialDp, boolean resumeFirst) throws IOException, InterruptedException {
        int dp = initialDp;
        for (int n = 0; ; n++) {
            attempt = new Attempt(n, resumeFirst || n > 0, dp, pool == null ? List.of() : pool.active());
            attemptStartMs = System.currentTimeMillis();
            int ranks = launcher.ranks(attempt);
            current = launcher.start(attempt);
            note(attempt.resume() ? Event.Kind.RESUMED : Event.Kind.STARTED, lastStep(), "attempt " + n + ", " + ranks + " ranks, dp " + dp
                    + (pool == null ? "" : " on " + pool.active()) + ", pid " + current.pid());
            HealthMonitor monitor = new HealthMonitor(ranks, attemptStartMs, settings.limits());
            Set<Integer> stragglers = new HashSet<>();
            java.util.Map<Integer, Long> localPids = new java.util.HashMap<>();
            int failedRank = -1;
            boolean failed = false;
            while (true) {
                if (current.waitFor(settings.poll().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    int code = current.exitValue();
                    if (code == 0) {
                        note(Event.Kind.FINISHED, lastStep(), "exit 0 after " + n + " restart(s)");
                        current = null;
                        return new Outcome(true, n, events());
                    }
                    failedRank = launcher.failedRank(attempt).orElse(failedRank);
                    note(Event.Kind.DIED, lastStep(), "the job exited with " + code + (failedRank >= 0 ? "; rank " + failedRank + " failed first" : ""));
                    failed = true;
                    break;
                }
                List<Heartbeat> beats = Heartbeat.readAll(outDir);
                if (failedRank < 0) failedRank = firstDead(beats, localPids);
                Health h = monitor.observe(beats, System.currentTimeMillis());
                if (h instanceof Health.Hung hung) {
                    note(Event.Kind.HUNG, hung.step(), "rank " + hung.rank() + ": " + hung.why() + "; killing the job");
                    failedRank = hung.rank();
                    kill(current);
                    failed = true;
                    break;
                }
                if (h instanceof Health.Progressing p) {
                    for (int r : p.stragglers()) if (stragglers.add(r)) note(Event.Kind.STRAGGLER, p.step(), "rank " + r + ": compute time above " + settings.stragglerFactor() + "× the other ranks' in each of its last " + HealthMonitor.STRAGGLER_STEPS + " steps");
                    stragglers.retainAll(p.stragglers()); // one that recovers is noted again if it slows down again
                }
            }
            current = null;
            if (failed && n >= settings.restarts()) {
                note(Event.Kind.GAVE_UP, lastStep(), "after " + n + " restart(s)");
                return new Outcome(false, n, events());
            }
            if (pool != null) {
                List<String> cut = new ArrayList<>();
                try {
                    for (String h : launcher.unreachableHosts(attempt)) if (attempt.hosts().stream().anyMatch(x -> x.name().equals(h))) cut.add(h);
                } catch (IOException | RuntimeException e) {
                    log.accept("could not probe the hosts' network: " + e);
                }
                if (cut.isEmpty() && (failedRank < 0 || failedRank >= pool.slots())) {
                    note(Event.Kind.EXCLUDED, lastStep(), "the failing rank is not known; restarting on the same hosts");
                    continue;
                }
                String host = cut.isEmpty() ? pool.hostOf(failedRank) : cut.getFirst();
                String why = cut.isEmpty() ? "rank " + failedRank + " failed" : "it cannot be reached: its network is cut" + (cut.size() > 1 ? "; also unreachable: " + cut.subList(1, cut.size()) : "");
                HostPool before = pool, next;
                try {
                    next = exclude(host);
                } catch (IllegalStateException none) {
                    note(Event.Kind.GAVE_UP, lastStep(), none.getMessage());
                    return new Outcome(false, n, events());
                }
                int newDp = dp, perReplica = Math.max(1, before.slots() / dp); // ranks per data-parallel replica
                if (next.slots() < before.slots()) {
                    newDp = 0;
                    for (int d = Math.min(initialDp, next.slots() / perReplica); d >= 1; d--) if (initialDp % d == 0) { newDp = d; break; }
                    if (newDp == 0) {
                        note(Event.Kind.GAVE_UP, lastStep(), "host " + host + " excluded; the " + next.slots() + " slots left cannot hold one replica of " + perReplica + " ranks");
                        return new Outcome(false, n, events());
                    }
                }
                String spare = next.names().stream().filter(h2 -> !before.names().contains(h2)).findFirst().orElse(null);
                note(Event.Kind.EXCLUDED, lastStep(), "host " + host + " excluded (" + why + "); " + (spare != null ? "spare " + spare + " takes its place, dp " + newDp + " kept"
                        : "no spare left: " + next.names().size() + " host(s), dp " + dp + " -> " + newDp));
                dp = newDp;
            } else if (settings.shrinkDp() && dp > 1) {
                dp /= 2;
            }
        }
    }

    /** The first rank whose process (seen as a descendant of the launcher, so on this machine) is gone; -1 if none. */
    private int firstDead(List<Heartbeat> beats, java.util.Map<Integer, Long> localPids) {
        Process p = current;
        if (p == null) return -1;
        Set<Long> descendants = new HashSet<>();
        p.descendants().forEach(d -> descendants.add(d.pid()));
        for (Heartbeat b : beats) if (b.timeMs() >= attemptStartMs && descendants.contains(b.pid())) localPids.put(b.rank(), b.pid());
        for (var e : localPids.entrySet()) {
            if (!descendants.contains(e.getValue()) && ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false) == false) return e.getKey();
        }
        return -1;
    }

    /** The most any rank has reported (-1 before the first beat). */
    public long lastStep() {
        return Heartbeat.readAll(outDir).stream().mapToLong(Heartbeat::step).max().orElse(-1);
    }

    /** Kills a job: its processes (ranks under mpirun) first, then the launcher. */
    public static void kill(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        for (ProcessHandle h : all) h.destroyForcibly();
        p.destroyForcibly();
        p.waitFor();
    }
}
