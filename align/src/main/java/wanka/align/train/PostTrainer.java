package wanka.align.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.model.ModelIO;
import wanka.model.ParamRole;
import wanka.tensor.AllocationScope;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.train.AdamWOptimizer;
import wanka.train.CheckpointLayout;
import wanka.train.CheckpointManifest;
import wanka.train.Checkpoints;
import wanka.train.Trainer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The post-training optimizer loop, shared by SFT (full or LoRA), the reward model and DPO: per step, {@code gradAccum}
 * micro-batches of an {@link Objective} → backward (gradients accumulate) → average → clip by global norm → AdamW
 * ({@link AdamWOptimizer}, the pre-training optimizer) on exactly the {@code trainable} parameters → zero grads.
 * Everything else the objective touches stays frozen: its tensors do not require grad, so no gradient is computed
 * or held for them, and the optimizer keeps moments only for the trainable ones.
 *
 * <p>Writes {@code metrics.jsonl} (step, loss, lr, grad_norm, tokens/s and the objective's metrics, averaged over the
 * micro-batches) and checkpoints {@code checkpoints/step-N/} through {@link Checkpoints} (manifest with the trainer
 * {@link Checkpoints.State}, atomic rename): the trainable weights as {@code Saver} writes them plus
 * {@code optimizer.safetensors} and {@code post_train_state.json} (step, loss, {@link RandomState}).
 *
 * <p>{@link #resumeLatest}/{@link #resumeFrom} continue a run from such a checkpoint: the files are verified against
 * the manifest, the trainable tensors are found by name in the checkpoint's safetensors files, the optimizer moments and
 * the random state restored. The data position is the step itself (micro-batch k depends only on seed, batch, seq and
 * k), so a resumed run computes bitwise what the uninterrupted run computes.
 */
public final class PostTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE_FILE = "post_train_state.json";
    private static final String OPTIMIZER_FILE = "optimizer.safetensors";

    /** Writes the trainable weights of a checkpoint (an HF model directory, an adapter, a reward head). */
    @FunctionalInterface
    public interface Saver {
        void save(Path dir) throws IOException;
    }

    /** One step's logged values. */
    public record StepLog(long step, double loss, double lr, double gradNorm, double tokensPerSecond, Map<String, Double> metrics) {
    }

    /** Where a resumed run continues: the checkpoint and its step. */
    public record Resumed(Path checkpoint, long step) {
    }

    private final Map<String, Tensor> trainable;
    private final AdamWOptimizer optimizer;
    private final Objective objective;
    private final PostTrainOptions options;
    private final Saver saver;
    private final RandomState random;
    private final CpuDevice device;
    private long step;
    private long tokensSeen;
    private double lastLoss = Double.NaN;

    /**
     * @param trainable the parameters to update, by name (they must require grad)
     * @param roles     their roles (weight decay only where {@link ParamRole#decays()})
     */
    public PostTrainer(Map<String, Tensor> trainable, Map<String, ParamRole> roles, Objective objective, PostTrainOptions options,
                       CpuDevice device, Saver saver) {
        this(trainable, roles, objective, options, device, saver, RandomState.NONE);
    }

    /** With random state beyond the seed that checkpoints must carry (LoRA dropout). */
    public PostTrainer(Map<String, Tensor> trainable, Map<String, ParamRole> roles, Objective objective, PostTrainOptions options,
                       CpuDevice device, Saver saver, RandomState random) {
        for (var e : trainable.entrySet()) {
            if (!e.getValue().requiresGrad()) throw new IllegalArgumentException("trainable parameter '" + e.getKey() + "' does not require grad");
        }
        this.trainable = new LinkedHashMap<>(trainable);
        this.optimizer = new AdamWOptimizer(trainable, roles, options.adam(), device);
        this.objective = objective;
        this.options = options;
        this.saver = saver;
        this.random = random;
        this.device = device;
    }

    public AdamWOptimizer optimizer() {
        return optimizer;
    }

    /** Steps done (after a resume: the checkpoint's step). */
    public long step() {
        return step;
    }

    /**
     * Resumes from the newest checkpoint in the run directory that verifies and loads, trying them newest first and
     * saying on {@code log} which it skips and why. Empty when there is none; an error when there are some but none
     * loads. A checkpoint that loads but belongs to another run (seed, data, batch shape) is an error, not skipped.
     */
    public Optional<Resumed> resumeLatest(Consumer<String> log) throws IOException {
        Checkpoints checkpoints = new Checkpoints(options.outDir());
        List<Path> candidates = checkpoints.newestFirst();
        for (Path dir : candidates) {
            try {
                return Optional.of(resumeFrom(dir));
            } catch (IOException e) {
                log.accept("skipping " + dir + ": " + Checkpoints.reason(e));
            }
        }
        if (candidates.isEmpty()) return Optional.empty();
        throw new IOException("none of the " + candidates.size() + " checkpoint(s) in " + checkpoints.root()
                + " verifies (see above); resume from another one by name or start again with --overwrite");
    }

    /**
     * Loads checkpoint {@code dir} (written by this loop) after checking its files against its manifest, and continues
     * after its step.
     *
     * @throws IOException              naming the file that is missing, truncated or corrupt, or the tensor that is missing
     * @throws IllegalArgumentException when the checkpoint belongs to another run (seed, data, batch shape, too many steps)
     */
    public Resumed resumeFrom(Path dir) throws IOException {
        if (!Checkpoints.verify(dir)) throw new IOException(dir + ": no " + CheckpointManifest.FILE + ", so its files cannot be verified");
        Checkpoints.State s = CheckpointManifest.read(dir).orElseThrow().state();
        if (s == null) throw new IOException(dir.resolve(CheckpointManifest.FILE) + ": no trainer state (not a post-training checkpoint)");
        if (s.seed() != options.seed() || s.batch() != options.batch() || s.seq() != options.seq() || s.gradAccum() != options.gradAccum()
                || s.dataTokens() != objective.dataTokens()) {
            throw new IllegalArgumentException(dir + ": checkpoint was trained with --seed " + s.seed() + " on " + s.dataTokens() + " data tokens, batch " + s.batch()
                    + " × seq " + s.seq() + " × grad-accum " + s.gradAccum() + "; this run has --seed " + options.seed() + ", " + objective.dataTokens()
                    + " data tokens, batch " + options.batch() + " × seq " + options.seq() + " × grad-accum " + options.gradAccum()
                    + ", so it would not continue the same run");
        }
        if (s.step() > options.steps()) {
            throw new IllegalArgumentException(dir + ": checkpoint is at step " + s.step() + ", beyond --steps " + options.steps());
        }
        if (s.totalSteps() != options.steps() || !s.schedule().equals(options.schedule()) || s.lr() != options.lr()) {
            throw new IllegalArgumentException(dir + ": checkpoint was trained for " + s.totalSteps() + " steps of a " + s.schedule() + " schedule at --lr " + s.lr()
                    + "; this run has " + options.steps() + " steps, " + options.schedule() + ", --lr " + options.lr() + " (the learning rates would differ)");
        }
        Map<String, float[]> weights = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".safetensors") && !p.getFileName().toString().equals(OPTIMIZER_FILE)).sorted().toList()) {
                weights.putAll(ModelIO.readArrays(f));
            }
        }
        Map<String, float[]> moments = ModelIO.readArrays(dir.resolve(OPTIMIZER_FILE));
        JsonNode post = JSON.readTree(dir.resolve(STATE_FILE).toFile());
        Map<String, Long> rng = JSON.convertValue(post.path("random_state"), new TypeReference<Map<String, Long>>() { });
        for (var e : trainable.entrySet()) {
            float[] v = weights.get(e.getKey());
            if (v == null) throw new IOException(dir + ": no tensor '" + e.getKey() + "' in its safetensors files (a checkpoint of another kind of run?)");
            if (v.length != e.getValue().numel()) {
                throw new IOException(dir + ": tensor '" + e.getKey() + "' has " + v.length + " values, this run's has " + e.getValue().numel());
            }
            for (String k : List.of("exp_avg." + e.getKey(), "exp_avg_sq." + e.getKey())) {
                float[] m = moments.get(k);
                if (m == null || m.length != v.length) throw new IOException(dir.resolve(OPTIMIZER_FILE) + ": no optimizer moment '" + k + "' of " + v.length + " values");
            }
        }
        for (var e : trainable.entrySet()) {
            float[] v = weights.get(e.getKey());
            System.arraycopy(v, 0, e.getValue().data(), e.getValue().offset(), v.length);
        }
        optimizer.load(moments, s.step());
        random.restore(rng == null ? Map.of() : rng);
        step = s.step();
        tokensSeen = s.tokensSeen();
        lastLoss = s.lastLoss();
        return new Resumed(dir, s.step());
    }

    /** Runs the remaining steps; returns the last step's log (after a resume at the last step: the checkpoint's loss). */
    public StepLog run(Consumer<StepLog> listener) throws IOException {
        Files.createDirectories(options.outDir());
        Checkpoints checkpoints = new Checkpoints(options.outDir());
        StepLog last = new StepLog(step, lastLoss, step > 0 ? options.lrSchedule().at(step - 1) : options.lr(), Double.NaN, 0, Map.of());
        Path metricsFile = options.outDir().resolve("metrics.jsonl");
        Trainer.dropMetricsAfter(metricsFile, step); // a resumed run rewrites the steps after its checkpoint
        try (BufferedWriter metrics = Files.newBufferedWriter(metricsFile, StandardOpenOption.CREATE,
                step == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND)) {
            while (step < options.steps()) {
                long t0 = System.nanoTime();
                double lossSum = 0;
                long tokens = 0;
                Map<String, Double> sums = new TreeMap<>();
                for (int m = 0; m < options.gradAccum(); m++) {
                    // Everything a micro-batch allocates is released when it ends except the trainable gradients: the
                    // engine releases what the graph holds, the scope also what was computed outside it (with frozen
                    // embeddings, a LoRA model's embedding output and first norm have no graph node).
                    try (AllocationScope scope = device.openScope()) {
                        Objective.Micro micro = objective.micro(step, m);
                        lossSum += micro.loss().item();
                        tokens += micro.tokens();
                        micro.metrics().forEach((k, v) -> sums.merge(k, v, Double::sum));
                        micro.loss().backward();
                        micro.loss().release();
                        for (Tensor p : trainable.values()) if (p.grad() != null) scope.keep(p.grad());
                    }
                }
                if (options.gradAccum() > 1) optimizer.scaleGrads(1f / options.gradAccum());
                double norm = optimizer.gradNorm();
                if (!Double.isFinite(norm)) {
                    throw new IllegalStateException("step " + (step + 1) + ": gradient norm is " + norm + " (loss " + lossSum / options.gradAccum() + "); lower --lr or check the data");
                }
                if (options.clipNorm() > 0 && norm > options.clipNorm()) optimizer.scaleGrads((float) (options.clipNorm() / (norm + 1e-6)));
                double lr = options.lrSchedule().at(step);
                optimizer.step(lr);
                optimizer.zeroGrad();
                step++;
                tokensSeen += tokens;
                double secs = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> avg = new LinkedHashMap<>();
                sums.forEach((k, v) -> avg.put(k, v / options.gradAccum()));
                last = new StepLog(step, lossSum / options.gradAccum(), lr, norm, tokens / secs, avg);
                lastLoss = last.loss();
                ObjectNode line = JSON.createObjectNode();
                line.put("step", step).put("loss", last.loss()).put("lr", lr).put("grad_norm", norm).put("tokens_per_s", last.tokensPerSecond());
                avg.forEach(line::put);
                metrics.write(JSON.writeValueAsString(line));
                metrics.newLine();
                metrics.flush();
                listener.accept(last);
                if ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || step == options.steps()) checkpoint(checkpoints, lr);
            }
        }
        return last;
    }

    private void checkpoint(Checkpoints checkpoints, double lr) throws IOException {
        long s = step;
        Checkpoints.State state = new Checkpoints.State(s, options.seed(), tokensSeen, lastLoss, options.schedule(), options.lr(), options.steps(),
                objective.dataTokens(), options.batch(), options.seq(), options.gradAccum());
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("step", s);
        post.put("loss", lastLoss);
        post.put("lr", lr);
        post.put("random_state", new TreeMap<>(random.save()));
        checkpoints.save(s, CheckpointLayout.SINGLE, state, dir -> {
            saver.save(dir);
            ModelIO.writeArrays(dir.resolve(OPTIMIZER_FILE), optimizer.state(), trainable);
            JSON.writeValue(dir.resolve(STATE_FILE).toFile(), post);
        });
    }
}
