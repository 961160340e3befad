package wanka.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A training run's output directory, held by one run at a time: {@link #open} takes an exclusive lock on
 * {@code <dir>/.lock} (which holds the owner's PID) until {@link #close}, refuses to start a new run over the outputs
 * of an earlier one unless told to resume or overwrite, and removes checkpoints an earlier run left half-written.
 * The lock dies with its process, so a crashed run does not keep it.
 */
public final class RunDirectory implements AutoCloseable {

    /** How a run treats the outputs of an earlier run in its directory. */
    public enum Start {
        /** Refuse if the directory already holds a run. */
        FRESH,
        /** Continue the run that is there. */
        RESUME,
        /** Remove the earlier run's outputs first. */
        OVERWRITE
    }

    /** Files and folders whose presence means a run has written here. */
    private static final List<String> RUN_OUTPUTS = List.of("metrics.jsonl", "checkpoints", "model");
    /** What {@link Start#OVERWRITE} removes. */
    private static final List<String> REMOVED_BY_OVERWRITE = List.of("metrics.jsonl", "tensorboard", "checkpoints", "model");
    private static final String LOCK_FILE = ".lock";

    /**
     * The run directories this JVM holds. POSIX file locks belong to the process and closing any channel on the file
     * drops them, so a second attempt from this process must not open the lock file at all.
     */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final FileChannel channel;

    private RunDirectory(Path dir, Path key, FileChannel channel) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
    }

    /**
     * Creates (if needed) and locks {@code dir}. Refused when another run holds it (the message names the directory and
     * the holder's PID), when {@code dir} is a file, or when it holds an earlier run and {@code start} is {@link Start#FRESH}.
     * Says on {@code log} what it removes.
     */
    public static RunDirectory open(Path dir, Start start, Consumer<String> log) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        Files.createDirectories(dir);
        RunDirectory run = lock(dir);
        try {
            run.prepare(start, log);
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e;
        }
        return run;
    }

    public Path path() {
        return dir;
    }

    private static RunDirectory lock(Path dir) throws IOException {
        Path key = dir.toRealPath();
        long pid = ProcessHandle.current().pid();
        if (!HELD_HERE.add(key)) throw new IllegalStateException(dir + " is in use by another run in this process (PID " + pid + ")");
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        boolean locked = false;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                String holder = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
                throw new IllegalStateException(dir + " is in use by another run" + (holder.matches("\\d+") ? " (PID " + holder + ")" : "")
                        + "; wait for it to finish or choose another --out");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            locked = true;
            return new RunDirectory(dir, key, channel);
        } catch (IOException e) {
            throw new IOException("could not lock " + lockFile + ": " + Checkpoints.reason(e), e);
        } finally {
            if (!locked) {
                HELD_HERE.remove(key);
                if (channel != null) channel.close();
            }
        }
    }

    private void prepare(Start start, Consumer<String> log) throws IOException {
        List<String> earlier = RUN_OUTPUTS.stream().filter(f -> Files.exists(dir.resolve(f))).toList();
        if (!earlier.isEmpty() && start == Start.FRESH) {
            throw new IllegalArgumentException("--out " + dir + " already holds a run (" + String.join(", ", earlier)
                    + "); continue it with --resume auto, or replace it with --overwrite");
        }
        if (start == Start.OVERWRITE) {
            List<String> removed = new ArrayList<>();
            for (String f : REMOVED_BY_OVERWRITE) {
                if (Files.exists(dir.resolve(f))) {
                    Checkpoints.deleteTree(dir.resolve(f));
                    removed.add(f);
                }
            }
            if (!removed.isEmpty()) log.accept("overwriting the earlier run in " + dir + ": removed " + String.join(", ", removed));
        }
        for (Path p : new Checkpoints(dir).removePartials()) log.accept("removed " + p + ", a checkpoint an earlier run left unfinished");
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) return;
        try {
            channel.close(); // releases the lock
        } finally {
            HELD_HERE.remove(key);
        }
    }
}
