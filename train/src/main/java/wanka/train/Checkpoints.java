package wanka.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.data.mix.MixingWeights;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code <out>/checkpoints/step-NNNNNNNN/}: an HF model directory (config.json,
 * model.safetensors) plus {@code optimizer.safetensors} (AdamW moments) and {@code trainer_state.json}
 * (step, seed, schedule). Each is written into a temporary directory that is renamed into place when
 * complete, so a crash mid-save never leaves a checkpoint that looks whole.
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

    private static final String MIXING_FILE = "data_mixture.json";

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
        Files.createDirectories(root);
        Path dir = root.resolve(String.format("step-%08d", state.step()));
        Path tmp = root.resolve(dir.getFileName() + ".partial");
        deleteTree(tmp);
        ModelIO.save(model, tmp);
        ModelIO.writeArrays(tmp.resolve("optimizer.safetensors"), opt.state(), model.parameters());
        JSON.writeValue(tmp.resolve("trainer_state.json").toFile(), state);
        if (mixing != null) JSON.writeValue(tmp.resolve(MIXING_FILE).toFile(), mixing);
        deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** The newest complete checkpoint under {@code outDir}, if any. */
    public Optional<Path> latest() throws IOException {
        if (!Files.isDirectory(root)) return Optional.empty();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isRegularFile(p.resolve("trainer_state.json")))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }

    /** Loads weights and optimizer moments into {@code model} / {@code opt}; returns the saved state. */
    public static State restore(Path dir, TeleChat2 model, AdamWOptimizer opt) throws IOException {
        Path stateFile = dir.resolve("trainer_state.json");
        if (!Files.isRegularFile(stateFile)) throw new IOException(dir + ": not a checkpoint (no trainer_state.json)");
        State state = JSON.readValue(stateFile.toFile(), State.class);
        ModelIO.loadInto(model, dir);
        Map<String, float[]> moments = ModelIO.readArrays(dir.resolve("optimizer.safetensors"));
        opt.load(moments, state.step());
        return state;
    }

    /** The data mixture state saved with a checkpoint, if it has one. */
    public static Optional<MixingWeights> readMixing(Path dir) throws IOException {
        Path f = dir.resolve(MIXING_FILE);
        return Files.isRegularFile(f) ? Optional.of(JSON.readValue(f.toFile(), MixingWeights.class)) : Optional.empty();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path q : all) Files.delete(q);
        }
    }
}
