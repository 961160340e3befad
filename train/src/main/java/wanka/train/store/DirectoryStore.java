package wanka.train.store;

import wanka.model.TeleChat2Config;
import wanka.train.CheckpointLayout;
import wanka.train.Checkpoints;
import wanka.train.RankShard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checkpoints in a directory ({@link Checkpoints}: {@code step-N.partial/} renamed to {@code step-N/} once its
 * manifest is written), optionally mirrored to a second directory: the level-1 store keeps its primary copy in
 * this host's {@code /dev/shm} and the mirror in a peer's area (on a cluster, the peer host's {@code /dev/shm} as this
 * host mounts or reaches it), so that neither a crashed worker process nor one lost area loses a checkpoint. Every
 * rank writes its shard into both; rank 0 commits both; {@link #fetch} gives the primary copy when it verifies and
 * the mirror otherwise.
 */
public record DirectoryStore(Checkpoints primary, Optional<Checkpoints> mirror) implements CheckpointStore {

    /** Checkpoints directly under {@code root} ({@code root/step-N/}). */
    public static DirectoryStore at(Path root) {
        return new DirectoryStore(Checkpoints.inRoot(root), Optional.empty());
    }

    /** Under {@code root}, each checkpoint also written to {@code mirrorRoot}. */
    public static DirectoryStore mirrored(Path root, Path mirrorRoot) {
        return new DirectoryStore(Checkpoints.inRoot(root), Optional.of(Checkpoints.inRoot(mirrorRoot)));
    }

    /** The run's own {@code <out>/checkpoints}. */
    public static DirectoryStore ofRun(Path outDir) {
        return new DirectoryStore(new Checkpoints(outDir), Optional.empty());
    }

    private List<Checkpoints> copies() {
        List<Checkpoints> all = new ArrayList<>(List.of(primary));
        mirror.ifPresent(all::add);
        return all;
    }

    @Override
    public String describe() {
        return primary.root() + mirror.map(m -> " (mirrored to " + m.root() + ")").orElse("");
    }

    @Override
    public void writeShard(RankShard shard) throws IOException {
        for (Checkpoints c : copies()) shard.writeInto(c.partial(shard.step()));
    }

    @Override
    public void markFailed(long step, int rank, String reason) {
        for (Checkpoints c : copies()) c.markFailed(step, rank, reason);
    }

    @Override
    public void commit(long step, CheckpointLayout layout, Checkpoints.State state, TeleChat2Config config, Duration timeout) throws IOException {
        for (Checkpoints c : copies()) c.commitSharded(step, layout, state, config, timeout);
    }

    @Override
    public List<Long> committedSteps() throws IOException {
        TreeSet<Long> steps = new TreeSet<>();
        for (Checkpoints c : copies()) for (Path p : c.newestFirst()) steps.add(Long.parseLong(p.getFileName().toString().substring(5)));
        return List.copyOf(steps.descendingSet());
    }

    @Override
    public Path fetch(long step, Path scratch) throws IOException {
        IOException first = null;
        for (Checkpoints c : copies()) {
            Path dir = c.dir(step);
            if (!Files.isDirectory(dir)) continue;
            try {
                if (Checkpoints.verify(dir)) return dir;
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
        return primary.dir(step); // missing or unverifiable everywhere: the reader says why
    }

    @Override
    public Path local(long step, Path scratch) {
        if (mirror.isPresent() && !Files.isDirectory(primary.dir(step))) return mirror.get().dir(step);
        try {
            return fetch(step, scratch);
        } catch (IOException e) {
            return primary.dir(step);
        }
    }

    @Override
    public List<String> clearStaging() throws IOException {
        List<String> gone = new ArrayList<>();
        for (Checkpoints c : copies()) for (Path p : c.removePartials()) gone.add(p.toString());
        return gone;
    }

    @Override
    public List<String> prune(int keep) throws IOException {
        List<String> gone = new ArrayList<>();
        for (Checkpoints c : copies()) for (Path p : c.prune(keep)) gone.add(p.toString());
        return gone;
    }
}
