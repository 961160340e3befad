package wanka.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.data.mix.MixingWeights;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code <out>/checkpoints/step-NNNNNNNN/}: an HF model directory (config.json,
 * model.safetensors) plus {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json}
 * (step, seed, schedule) and, written last, {@code manifest.json} (every file's size and CRC-32C, see
 * {@link CheckpointManifest}). Each is written into {@code step-NNNNNNNN.partial} and renamed into place when
 * complete, so a crash mid-save never leaves a checkpoint that looks whole; a save that fails removes its
 * partial directory.
 */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Trainer state saved beside the weights. The data loader's state is the step itself (batches depend only
     * on seed, step and micro-batch index) plus the identity of the data: the sampled token count and the
     * batch shape, checked on resume.
     */
    public record State(long step, long seed, long tokensSeen, double lastLoss, String schedule, double lr, long totalSteps,
                        long dataTokens, int batch, int seq, int gradAccum) {
    }

    /** Writes the files of one checkpoint into a (partial) directory. */
    @FunctionalInterface
    public interface Content {
        void writeInto(Path dir) throws IOException;
    }

    private static final String STATE_FILE = "trainer_state.json";
    private static final String MIXING_FILE = "data_mixture.json";
    private static final String PARTIAL = ".partial";
    private static final String FAILED = ".failed";

    private final Path root;

    /** The checkpoints of the run in {@code outDir}: {@code outDir/checkpoints/step-N/}. */
    public Checkpoints(Path outDir) {
        this.root = outDir.resolve("checkpoints");
    }

    private Checkpoints(Path root, boolean direct) {
        this.root = root;
    }

    /** Checkpoints directly under {@code root} ({@code root/step-N/}), e.g. a storage level's directory. */
    public static Checkpoints inRoot(Path root) {
        return new Checkpoints(root, true);
    }

    public Path root() {
        return root;
    }

    public Path save(TeleChat2 model, AdamWOptimizer opt, State state) throws IOException {
        return save(model, opt, state, null);
    }

    /** Also writes {@code data_mixture.json}: the data mixture's weights for the next step (null: none). */
    public Path save(TeleChat2 model, AdamWOptimizer opt, State state, MixingWeights mixing) throws IOException {
        return save(state.step(), CheckpointLayout.SINGLE, state, dir -> {
            ModelIO.save(model, dir);
            ModelIO.writeArrays(dir.resolve("optimizer.safetensors"), opt.state(), model.parameters());
            JSON.writeValue(dir.resolve(STATE_FILE).toFile(), state);
            if (mixing != null) JSON.writeValue(dir.resolve(MIXING_FILE).toFile(), mixing);
        });
    }

    /** {@link #save(long, CheckpointLayout, State, Content)} for content that is not a training checkpoint (no layout, no state). */
    public Path save(long step, Content content) throws IOException {
        return save(step, null, null, content);
    }

    /**
     * Writes {@code content} into {@code step-N.partial}, then its manifest, then renames it to {@code step-N}. If anything
     * fails the partial directory is removed and the error names the checkpoint. A committed {@code step-N} already there
     * is never overwritten: it is moved aside first ({@link #supersede}).
     */
    public Path save(long step, CheckpointLayout layout, State state, Content content) throws IOException {
        Path dir = dir(step);
        Path tmp = partial(step);
        try {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            content.writeInto(tmp);
            CheckpointManifest.of(tmp, step, layout, state, Map.of()).write(tmp);
            commit(step);
            return dir;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) throw new IOException("could not save checkpoint " + dir + ": " + reason(io), io);
            throw e;
        }
    }

    /** {@code step-NNNNNNNN}: where checkpoint {@code step} is committed. */
    public Path dir(long step) {
        return root.resolve(String.format("step-%08d", step));
    }

    /** {@code step-NNNNNNNN.partial}: where checkpoint {@code step} is written until its manifest is there. */
    public Path partial(long step) {
        return root.resolve(String.format("step-%08d", step) + PARTIAL);
    }

    /**
     * Commits checkpoint {@code step}: renames its partial directory, whose manifest is written, to {@code step-N} in
     * one atomic move. A committed directory of that step (one that a resume skipped as damaged, or a rerun of the same
     * step) is first moved aside, never deleted.
     */
    public Path commit(long step) throws IOException {
        Path tmp = partial(step), dir = dir(step);
        if (!Files.isRegularFile(tmp.resolve(CheckpointManifest.FILE))) throw new IOException(tmp + ": no " + CheckpointManifest.FILE + " written, so not committed");
        if (Files.exists(dir)) supersede(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /**
     * Commits sharded checkpoint {@code step} once every rank of {@code layout} has written its shard into
     * {@link #partial(long)} (world rank 0 calls this): waits up to {@code timeout} for each {@code rank-NNNNN/shard.json},
     * writes {@code config.json} and {@code trainer_state.json}, then the manifest (taking each shard's checksum from its
     * index) and renames the directory into place. A rank that failed leaves {@code rank-NNNNN.failed} with its reason;
     * then, or on timeout, nothing is committed, the partial directory is removed and the error names the rank.
     */
    public Path commitSharded(long step, CheckpointLayout layout, State state, TeleChat2Config config, Duration timeout) throws IOException {
        Path tmp = partial(step);
        try {
            Map<String, CheckpointManifest.Entry> known = new java.util.HashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int r = 0; r < layout.worldSize(); r++) {
                Path index = tmp.resolve(ShardIndex.folder(r)).resolve(ShardIndex.FILE);
                Path failed = tmp.resolve(ShardIndex.folder(r) + FAILED);
                while (!Files.isRegularFile(index)) {
                    if (Files.isRegularFile(failed)) throw new IOException("rank " + r + " could not write its shard: " + Files.readString(failed).strip());
                    if (System.nanoTime() > deadline) throw new IOException("rank " + r + " did not finish its shard " + index + " within " + timeout.toMillis() + " ms");
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while waiting for rank " + r + "'s shard of step " + step);
                    }
                }
                for (CheckpointManifest.Entry e : ShardIndex.read(index).files()) known.put(e.path(), e);
            }
            config.write(tmp.resolve("config.json"));
            wanka.io.AtomicFiles.write(tmp.resolve(STATE_FILE), JSON.writeValueAsBytes(state));
            CheckpointManifest.of(tmp, step, layout, state, known).write(tmp);
            return commit(step);
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) throw new IOException("could not commit checkpoint " + dir(step) + ": " + reason(io), io);
            throw e;
        }
    }

    /** Records, for rank 0's commit, that this rank could not write its shard of {@code step} (best effort). */
    public void markFailed(long step, int rank, String reason) {
        try {
            Files.createDirectories(partial(step));
            Files.writeString(partial(step).resolve(ShardIndex.folder(rank) + FAILED), reason + "\n");
        } catch (IOException ignored) {
            // the disk that failed the shard may fail this too; rank 0 then times out instead
        }
    }

    /** Deletes committed checkpoints beyond the newest {@code keep} (0 keeps all); returns them. */
    public List<Path> prune(int keep) throws IOException {
        if (keep <= 0) return List.of();
        List<Path> all = newestFirst();
        List<Path> old = new java.util.ArrayList<>(all.subList(Math.min(keep, all.size()), all.size()));
        if (all.size() >= keep) { // and the copies moved aside by re-commits of steps now older than those kept
            String oldestKept = all.get(Math.min(keep, all.size()) - 1).getFileName().toString();
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> p.getFileName().toString().matches("step-\\d{8}\\.superseded-\\d+") && p.getFileName().toString().substring(0, 13).compareTo(oldestKept) < 0)
                        .sorted().forEach(old::add);
            }
        }
        for (Path p : old) deleteTree(p);
        return List.copyOf(old);
    }

    /** Moves a committed checkpoint aside to {@code step-N.superseded-K} (K the first free number); returns where. */
    static Path supersede(Path dir) throws IOException {
        for (int k = 1; ; k++) {
            Path aside = dir.resolveSibling(dir.getFileName() + ".superseded-" + k);
            if (!Files.exists(aside)) {
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                return aside;
            }
        }
    }

    /** The newest checkpoint under {@code outDir} that looks complete, if any (not verified). */
    public Optional<Path> latest() throws IOException {
        return newestFirst().stream().filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)) || Files.isRegularFile(p.resolve(CheckpointManifest.FILE))).findFirst();
    }

    /** Every {@code step-N} directory, newest first. */
    public List<Path> newestFirst() throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
    }

    /** Removes the {@code step-N.partial} directories a run left when it stopped while saving; returns them. */
    public List<Path> removePartials() throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        List<Path> partials;
        try (Stream<Path> s = Files.list(root)) {
            partials = s.filter(p -> p.getFileName().toString().endsWith(PARTIAL)).sorted().toList();
        }
        for (Path p : partials) deleteTree(p);
        return partials;
    }

    /**
     * Checks every file of the checkpoint against its manifest; the exception names the file that is missing, has
     * another size or another checksum. Returns false for a checkpoint without a manifest (written by an older
     * version), whose files cannot be checked.
     */
    public static boolean verify(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no checkpoint there");
        Optional<CheckpointManifest> manifest = CheckpointManifest.read(dir);
        if (manifest.isEmpty()) return false;
        manifest.get().verify(dir);
        return true;
    }

    /** The trainer state saved in checkpoint {@code dir}. */
    public static State readState(Path dir) throws IOException {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(f)) throw new IOException(dir + ": not a checkpoint (no " + STATE_FILE + ")");
        return readJson(f, State.class);
    }

    /** Loads weights and optimizer moments of checkpoint {@code dir} into {@code model} / {@code opt}. */
    public static void load(Path dir, long step, TeleChat2 model, AdamWOptimizer opt) throws IOException {
        load(AssembledCheckpoint.read(dir), model, opt);
    }

    /**
     * Copies an assembled checkpoint (single-process or sharded, any layout) into {@code model} and {@code opt}; refuses a
     * checkpoint of another model, naming its config.json.
     */
    public static void load(AssembledCheckpoint c, TeleChat2 model, AdamWOptimizer opt) {
        c.requireModel(model.config());
        for (var e : model.parameters().entrySet()) {
            float[] src = c.params().get(e.getKey());
            System.arraycopy(src, 0, e.getValue().data(), e.getValue().offset(), src.length);
        }
        opt.load(c.optimizerState(), c.step());
    }

    /** The data mixture state saved with a checkpoint, if it has one. */
    public static Optional<MixingWeights> readMixing(Path dir) throws IOException {
        Path f = dir.resolve(MIXING_FILE);
        return Files.isRegularFile(f) ? Optional.of(readJson(f, MixingWeights.class)) : Optional.empty();
    }

    /** An I/O error as one line naming its file. */
    public static String reason(IOException e) {
        return e instanceof NoSuchFileException n ? "no such file: " + n.getFile() : e.getMessage();
    }

    private static <T> T readJson(Path f, Class<T> type) throws IOException {
        try {
            return JSON.readValue(f.toFile(), type);
        } catch (JsonProcessingException e) {
            throw new IOException(f + ": " + e.getOriginalMessage(), e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path q : all) Files.delete(q);
        }
    }
}
