package wanka.train.ft;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a rank reports after every step, for the agent that supervises the job: which rank, its process, the step it
 * finished, how long the step took and how much of it the rank computed (without waiting for its peers: in a
 * synchronous job a slow rank makes every step slow, but only its own compute time stands out), its health ("ok", or
 * why not), when it finished that step ({@code stepEndMs}) and when it beat ({@code timeMs}): a rank also beats while a
 * long step runs ({@link Beats}), so the agent tells a live rank in a slow step from a stopped process, and its
 * {@link Progress} counter ({@code progress}: phases finished), so the agent tells a rank moving through a slow step
 * from one stuck in it. Each rank replaces its own file
 * {@code <out>/heartbeats/rank-NNNNN.json} atomically, so the agent reads whole beats from any number of processes
 * on the host without talking to them.
 */
public record Heartbeat(int rank, long pid, long step, double stepMs, double computeMs, String health, long timeMs, long stepEndMs, long progress) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String FOLDER = "heartbeats";

    @com.fasterxml.jackson.annotation.JsonCreator
    public Heartbeat {
    }

    /** A beat without a progress counter (0: an older writer, or a rank that does not count its phases). */
    public Heartbeat(int rank, long pid, long step, double stepMs, double computeMs, String health, long timeMs, long stepEndMs) {
        this(rank, pid, step, stepMs, computeMs, health, timeMs, stepEndMs, 0);
    }

    public static Path file(Path outDir, int rank) {
        return outDir.resolve(FOLDER).resolve(String.format("rank-%05d.json", rank));
    }

    /** Replaces this rank's heartbeat file. */
    public void write(Path outDir) throws IOException {
        AtomicFiles.write(file(outDir, rank), JSON.writeValueAsBytes(this));
    }

    /** This process's beat for {@code rank} after {@code step}, now. */
    public static Heartbeat now(int rank, long step, double stepMs, double computeMs, String health) {
        long now = System.currentTimeMillis();
        return new Heartbeat(rank, ProcessHandle.current().pid(), step, stepMs, computeMs, health, now, now, 0);
    }

    /** The same beat again at {@code nowMs}: the rank is alive, still in the step after {@link #step}. */
    public Heartbeat again(long nowMs) {
        return again(nowMs, progress);
    }

    /** The same beat again at {@code nowMs} with the progress counter at {@code progressNow}. */
    public Heartbeat again(long nowMs, long progressNow) {
        return new Heartbeat(rank, pid, step, stepMs, computeMs, health, nowMs, stepEndMs, progressNow);
    }

    /** When the step was finished; a beat that does not say (an older writer) finished it when it beat. */
    public long finishedMs() {
        return stepEndMs > 0 ? stepEndMs : timeMs;
    }

    /** Every rank's latest beat under {@code outDir} (unreadable files skipped: a beat is replaced whole, so only a foreign file is). */
    public static List<Heartbeat> readAll(Path outDir) {
        Path dir = outDir.resolve(FOLDER);
        List<Heartbeat> beats = new ArrayList<>();
        if (!Files.isDirectory(dir)) return beats;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().matches("rank-\\d{5}\\.json")).sorted().toList()) {
                try {
                    beats.add(JSON.readValue(f.toFile(), Heartbeat.class));
                } catch (IOException ignored) {
                    // removed between list and read
                }
            }
        } catch (IOException ignored) {
            // the folder went away (a fresh start): no beats
        }
        return beats;
    }
}
