package wanka.align.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.model.ModelIO;
import wanka.model.ParamRole;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.train.AdamWOptimizer;
import wanka.train.Checkpoints;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The post-training optimizer loop, shared by SFT (full or LoRA), the reward model and DPO: per step, {@code gradAccum}
 * micro-batches of an {@link Objective} → backward (gradients accumulate) → average → clip by global norm → AdamW
 * ({@link AdamWOptimizer}, the pre-training optimizer) on exactly the {@code trainable} parameters → zero grads.
 * Everything else the objective touches stays frozen: its tensors do not require grad, so no gradient is computed
 * or held for them, and the optimizer keeps moments only for the trainable ones.
 *
 * <p>Writes {@code metrics.jsonl} (step, loss, lr, grad_norm, tokens/s and the objective's metrics, averaged over the
 * micro-batches) and checkpoints {@code checkpoints/step-N/} through {@link Checkpoints} (manifest, atomic rename):
 * the trainable weights as {@code Saver} writes them plus {@code optimizer.safetensors} and {@code post_train_state.json}.
 */
public final class PostTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the trainable weights of a checkpoint (an HF model directory, an adapter, a reward head). */
    @FunctionalInterface
    public interface Saver {
        void save(Path dir) throws IOException;
    }

    /** One step's logged values. */
    public record StepLog(long step, double loss, double lr, double gradNorm, double tokensPerSecond, Map<String, Double> metrics) {
    }

    private final Map<String, Tensor> trainable;
    private final AdamWOptimizer optimizer;
    private final Objective objective;
    private final PostTrainOptions options;
    private final Saver saver;
    private long step;

    /**
     * @param trainable the parameters to update, by name (they must require grad)
     * @param roles     their roles (weight decay only where {@link ParamRole#decays()})
     */
    public PostTrainer(Map<String, Tensor> trainable, Map<String, ParamRole> roles, Objective objective, PostTrainOptions options,
                       CpuDevice device, Saver saver) {
        for (var e : trainable.entrySet()) {
            if (!e.getValue().requiresGrad()) throw new IllegalArgumentException("trainable parameter '" + e.getKey() + "' does not require grad");
        }
        this.trainable = new LinkedHashMap<>(trainable);
        this.optimizer = new AdamWOptimizer(trainable, roles, options.adam(), device);
        this.objective = objective;
        this.options = options;
        this.saver = saver;
    }

    public AdamWOptimizer optimizer() {
        return optimizer;
    }

    /** Runs all steps; returns the last step's log. */
    public StepLog run(Consumer<StepLog> listener) throws IOException {
        Files.createDirectories(options.outDir());
        Checkpoints checkpoints = new Checkpoints(options.outDir());
        StepLog last = null;
        try (BufferedWriter metrics = Files.newBufferedWriter(options.outDir().resolve("metrics.jsonl"))) {
            while (step < options.steps()) {
                long t0 = System.nanoTime();
                double lossSum = 0;
                long tokens = 0;
                Map<String, Double> sums = new TreeMap<>();
                for (int m = 0; m < options.gradAccum(); m++) {
                    Objective.Micro micro = objective.micro(step, m);
                    lossSum += micro.loss().item();
                    tokens += micro.tokens();
                    micro.metrics().forEach((k, v) -> sums.merge(k, v, Double::sum));
                    micro.loss().backward();
                    micro.loss().release();
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
                double secs = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> avg = new LinkedHashMap<>();
                sums.forEach((k, v) -> avg.put(k, v / options.gradAccum()));
                last = new StepLog(step, lossSum / options.gradAccum(), lr, norm, tokens / secs, avg);
                ObjectNode line = JSON.createObjectNode();
                line.put("step", step).put("loss", last.loss()).put("lr", lr).put("grad_norm", norm).put("tokens_per_s", last.tokensPerSecond());
                avg.forEach(line::put);
                metrics.write(JSON.writeValueAsString(line));
                metrics.newLine();
                metrics.flush();
                listener.accept(last);
                if ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || step == options.steps()) {
                    long s = step;
                    double loss = last.loss();
                    checkpoints.save(s, dir -> {
                        saver.save(dir);
                        ModelIO.writeArrays(dir.resolve("optimizer.safetensors"), optimizer.state(), trainable);
                        JSON.writeValue(dir.resolve("post_train_state.json").toFile(), Map.of("step", s, "loss", loss));
                    });
                }
            }
        }
        return last;
    }
}
