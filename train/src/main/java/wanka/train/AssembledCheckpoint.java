package wanka.train;

import wanka.model.ModelIO;
import wanka.model.TeleChat2Config;
import wanka.model.io.ModelFiles;
import wanka.model.io.SafetensorsFile;
import wanka.model.io.WeightNames;
import wanka.model.io.WeightSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole training state in a checkpoint, whatever layout wrote it: every parameter and both AdamW moments as full
 * tensors under their HF names, the trainer state and the layout. Read from a single-process checkpoint (weights and
 * moments whole, format 1 or 2) or assembled from the {@code rank-NNNNN/} shards of a parallel one; any trainer then
 * takes its own slices, so a run resumes under another (dp, tp, pp) layout, or in one process, exactly where the
 * checkpoint's run stopped.
 *
 * @param verified whether the files were checked against a manifest (false: an old checkpoint without one)
 */
public record AssembledCheckpoint(Path dir, long step, CheckpointLayout layout, Checkpoints.State state, TeleChat2Config config,
                                  Map<String, float[]> params, Map<String, float[]> expAvg, Map<String, float[]> expAvgSq, boolean verified) {

    /**
     * Verifies {@code dir} against its manifest (an {@link IOException} names the file that fails) and reads it whole.
     * Every parameter of the model its {@code config.json} describes must be covered, element for element.
     */
    public static AssembledCheckpoint read(Path dir) throws IOException {
        return read(dir, null);
    }

    /**
     * {@link #read(Path)} for a run of {@code model} (null: any): a verified checkpoint of another model is refused with
     * an {@link IllegalArgumentException} naming its config.json, before its tensors are read.
     */
    public static AssembledCheckpoint read(Path dir, TeleChat2Config model) throws IOException {
        boolean verified = Checkpoints.verify(dir);
        CheckpointManifest manifest = CheckpointManifest.read(dir).orElse(null);
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new IOException(dir + ": not a training checkpoint (no config.json)");
        TeleChat2Config config = TeleChat2Config.read(configFile);
        if (model != null) requireModel(dir, config, model);
        Checkpoints.State state = manifest != null && manifest.state() != null ? manifest.state() : Checkpoints.readState(dir);
        CheckpointLayout layout = manifest != null && manifest.layout() != null ? manifest.layout() : CheckpointLayout.SINGLE;
        Map<String, float[]> params = new LinkedHashMap<>(), m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        List<WeightSpec> expected = WeightNames.expected(config);
        if (Files.isRegularFile(dir.resolve(ShardIndex.folder(0)).resolve(ShardIndex.FILE))) {
            assemble(dir, layout, expected, params, m, v);
        } else {
            try (ModelFiles files = ModelFiles.open(dir)) {
                WeightNames.validate(config, files.shapes(), dir);
                for (WeightSpec w : expected) params.put(w.name(), files.readFloats(w.name()));
            }
            Path opt = dir.resolve("optimizer.safetensors");
            if (!Files.isRegularFile(opt)) throw new IOException(opt + ": missing (a training checkpoint holds the optimizer state)");
            Map<String, float[]> moments = ModelIO.readArrays(opt);
            for (WeightSpec w : expected) {
                m.put(w.name(), required(moments, "exp_avg." + w.name(), opt));
                v.put(w.name(), required(moments, "exp_avg_sq." + w.name(), opt));
            }
        }
        return new AssembledCheckpoint(dir, state.step(), layout, state, config, params, m, v, verified);
    }

    private static float[] required(Map<String, float[]> arrays, String key, Path file) throws IOException {
        float[] a = arrays.get(key);
        if (a == null) throw new IOException(file + ": no tensor " + key);
        return a;
    }

    /** Places every rank's arrays into full tensors and checks that each element of each tensor came exactly once. */
    private static void assemble(Path dir, CheckpointLayout layout, List<WeightSpec> expected,
                                 Map<String, float[]> params, Map<String, float[]> m, Map<String, float[]> v) throws IOException {
        Map<ShardTensor.Kind, Map<String, float[]>> byKind = Map.of(ShardTensor.Kind.PARAM, params, ShardTensor.Kind.EXP_AVG, m, ShardTensor.Kind.EXP_AVG_SQ, v);
        Map<String, Long> covered = new LinkedHashMap<>();
        Map<String, Integer> numel = new LinkedHashMap<>();
        for (WeightSpec w : expected) {
            long n = 1;
            for (long d : w.shape()) n *= d;
            numel.put(w.name(), Math.toIntExact(n));
            for (var e : byKind.values()) e.put(w.name(), new float[Math.toIntExact(n)]);
        }
        for (int r = 0; r < layout.worldSize(); r++) {
            Path rankDir = dir.resolve(ShardIndex.folder(r));
            Path indexFile = rankDir.resolve(ShardIndex.FILE);
            if (!Files.isRegularFile(indexFile)) throw new IOException(indexFile + ": missing (the checkpoint's layout " + layout.describe() + " has " + layout.worldSize() + " ranks)");
            ShardIndex index = ShardIndex.read(indexFile);
            Path data = rankDir.resolve(ShardIndex.DATA);
            try (SafetensorsFile f = SafetensorsFile.open(data)) {
                for (ShardTensor t : index.tensors()) {
                    Integer n = numel.get(t.name());
                    if (n == null) throw new IOException(indexFile + ": tensor " + t.name() + " is not a parameter of the model in " + dir.resolve("config.json"));
                    if (t.fullNumel() != n) throw new IOException(indexFile + ": tensor " + t.name() + " has " + t.fullNumel() + " elements, the model's has " + n);
                    t.placeInto(f.readFloats(t.key()), byKind.get(t.kind()).get(t.name()));
                    covered.merge(t.kind() + " " + t.name(), (long) t.length(), Long::sum);
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(data + ": " + e.getMessage(), e);
            }
        }
        for (WeightSpec w : expected) {
            for (ShardTensor.Kind k : ShardTensor.Kind.values()) {
                long got = covered.getOrDefault(k + " " + w.name(), 0L);
                if (got != numel.get(w.name())) {
                    throw new IOException(dir + ": the shards hold " + got + " of the " + numel.get(w.name()) + " elements of " + k.name().toLowerCase(java.util.Locale.ROOT)
                            + " " + w.name() + " (a rank's shard is missing or from another layout)");
                }
            }
        }
    }

    /** Refuses a checkpoint of another model: the message names its config.json and what differs. */
    public void requireModel(TeleChat2Config running) {
        requireModel(dir, config, running);
    }

    private static void requireModel(Path dir, TeleChat2Config config, TeleChat2Config running) {
        if (!config.equals(running)) {
            throw new IllegalArgumentException(dir.resolve("config.json") + ": the checkpoint is of another model (" + config.numLayers() + " layers × "
                    + config.hiddenSize() + ", vocab " + config.vocabSize() + "; this run: " + running.numLayers() + " layers × " + running.hiddenSize()
                    + ", vocab " + running.vocabSize() + ")");
        }
    }

    /** The moments as {@link AdamWOptimizer#state()} names them ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}). */
    public Map<String, float[]> optimizerState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        expAvg.forEach((k, a) -> out.put("exp_avg." + k, a));
        expAvgSq.forEach((k, a) -> out.put("exp_avg_sq." + k, a));
        return out;
    }
}
