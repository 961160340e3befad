package wanka.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.data.mix.MixingWeights;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    private final Path root;

    public Checkpoints(Path outDir) {
        this.root = outDir.resolve("checkpoints");
    }

    public Path root() {
        return root;
    }

    public Path save(TeleChat2 model, AdamWOptimizer opt, State state) throws IOException {
        return save(model, opt, state, null);
    }

    /** Also writes {@code data_mixture.json}: the data mixture's weights for the next step (null: none). */
    public Path save(TeleChat2 model, AdamWOptimizer opt, State state, MixingWeights mixing) throws IOException {
        return save(state.step(), dir -> {
            ModelIO.save(model, dir);
            ModelIO.writeArrays(dir.resolve("optimizer.safetensors"), opt.state(), model.parameters());
            JSON.writeValue(dir.resolve(STATE_FILE).toFile(), state);
            if (mixing != null) JSON.writeValue(dir.resolve(MIXING_FILE).toFile(), mixing);
        });
    }

    /**
     * Writes {@code content} into {@code step-N.partial}, then its manifest, then renames it to {@code step-N}
     * (replacing an older one). If anything fails the partial directory is removed and the error names the checkpoint.
     */
    public Path save(long step, Content content) throws IOException {
        Path dir = root.resolve(String.format("step-%08d", step));
        Path tmp = root.resolve(dir.getFileName() + PARTIAL);
        try {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            content.writeInto(tmp);
            CheckpointManifest.of(tmp, step).write(tmp);
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
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

    /** The newest checkpoint under {@code outDir} that looks complete, if any (not verified). */
    public Optional<Path> latest() throws IOException {
        return newestFirst().stream().filter(p -> Files.isRegularFile(p.resolve(STATE_FILE))).findFirst();
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
        ModelIO.loadInto(model, dir);
        Map<String, float[]> moments = ModelIO.readArrays(dir.resolve("optimizer.safetensors"));
        opt.load(moments, step);
    }

    /** The data mixture state saved with a checkpoint, if it has one. */
    public static Optional<MixingWeights> readMixing(Path dir) throws IOException {
        Path f = dir.resolve(MIXING_FILE);
        return Files.isRegularFile(f) ? Optional.of(readJson(f, MixingWeights.class)) : Optional.empty();
    }

    /** An I/O error as one line naming its file. */
    static String reason(IOException e) {
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
