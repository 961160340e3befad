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
 * Open MPI ends the whole job when one rank dies), a hung rank (no step within the hang timeout; the job is then
 * killed) and stragglers (noted). After a death or a hang it restarts the job, which resumes from the newest
 * checkpoint that verifies; with {@code shrinkDp} the restart runs with half the data-parallel ranks (the launcher
 * decides how, see {@link Launcher}). It gives up after {@code restarts} restarts. Every event goes to the timeline
 * ({@link #events}) that the status views show.
 */
public final class Agent {

    /** How the agent judges and reacts. */
    public record Settings(int restarts, Duration hangTimeout, Duration startTimeout, double stragglerFactor, Duration poll, boolean shrinkDp) {
        public static Settings defaults() {
            return new Settings(10, Duration.ofSeconds(60), Duration.ofMinutes(5), 3.0, Duration.ofMillis(200), false);
        }
    }

    /** One start of the job: the how-many-th, whether it resumes, and the data-parallel size to run with. */
    public record Attempt(int number, boolean resume, int dp) {
    }

    /** Starts the job's processes for an attempt (e.g. {@code mpirun … wanka pretrain … --resume auto}). */
    @FunctionalInterface
    public interface Launcher {
        Process start(Attempt attempt) throws IOException;

        /** How many ranks an attempt runs (the agent expects a heartbeat from each). */
        default int ranks(Attempt attempt) {
            return attempt.dp();
        }
    }

    /** How the supervision ended. */
    public record Outcome(boolean finished, int restarts, List<Event> events) {
    }

    private final Path outDir;
    private final Settings settings;
    private final Launcher launcher;
    private final Consumer<String> log;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile Process current;
    private volatile Attempt attempt;
    private volatile long attemptStartMs;

    public Agent(Path outDir, Settings settings, Launcher launcher, Consumer<String> log) {
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

    /** Runs the job to its end, restarting it after faults; the supervising thread's loop. */
    public Outcome run(int initialDp, boolean resumeFirst) throws IOException, InterruptedException {
        int dp = initialDp;
        for (int n = 0; ; n++) {
            attempt = new Attempt(n, resumeFirst || n > 0, dp);
            attemptStartMs = System.currentTimeMillis();
            int ranks = launcher.ranks(attempt);
            current = launcher.start(attempt);
            note(attempt.resume() ? Event.Kind.RESUMED : Event.Kind.STARTED, lastStep(), "attempt " + n + ", " + ranks + " ranks, dp " + dp + ", pid " + current.pid());
            Set<Integer> stragglers = new HashSet<>();
            boolean failed = false;
            while (true) {
                if (current.waitFor(settings.poll().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    int code = current.exitValue();
                    if (code == 0) {
                        note(Event.Kind.FINISHED, lastStep(), "exit 0 after " + n + " restart(s)");
                        current = null;
                        return new Outcome(true, n, events());
                    }
                    note(Event.Kind.DIED, lastStep(), "the job exited with " + code);
                    failed = true;
                    break;
                }
                Health h = Health.judge(Heartbeat.readAll(outDir), ranks, attemptStartMs, System.currentTimeMillis(), settings.hangTimeout().toMillis(),
                        settings.startTimeout().toMillis(), settings.stragglerFactor());
                if (h instanceof Health.Hung hung) {
                    note(Event.Kind.HUNG, hung.step(), "rank " + hung.rank() + " silent for " + hung.silentMs() + " ms; killing the job");
                    kill(current);
                    failed = true;
                    break;
                }
                if (h instanceof Health.Progressing p) {
                    for (int r : p.stragglers()) if (stragglers.add(r)) note(Event.Kind.STRAGGLER, p.step(), "rank " + r + " step time above " + settings.stragglerFactor() + "× the median");
                }
            }
            current = null;
            if (failed && n >= settings.restarts()) {
                note(Event.Kind.GAVE_UP, lastStep(), "after " + n + " restart(s)");
                return new Outcome(false, n, events());
            }
            if (settings.shrinkDp() && dp > 1) dp /= 2;
        }
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
