package wanka.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.data.PackedBatches;
import wanka.data.mix.BatchSource;
import wanka.data.mix.MixedBatch;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.train.mix.DomainLoss;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Single-process pre-training: micro-batches → loss → backward (gradients accumulate) → clip by global
 * norm → AdamW → schedule. Writes {@code metrics.jsonl} and TensorBoard events every step and a
 * checkpoint every {@code checkpointEvery} steps and at the end. Resuming from a checkpoint continues
 * bitwise-identically to an uninterrupted run (same seed, same thread count).
 */
public final class Trainer {

    /** Receives every step's metrics (progress bars, tests). */
    public interface Listener {
        void onStep(StepMetrics m);

        default void onCheckpoint(long step, Path dir) {
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    private final TeleChat2 model;
    private final CpuDevice device;
    private final BatchSource data;
    private final TrainOptions options;
    private final AdamWOptimizer optimizer;
    private final Checkpoints checkpoints;
    private final double peakGflops;
    private long step;
    private long tokensSeen;

    /**
     * @param peakGflops the FLOP rate MFU is measured against (e.g. this machine's measured GEMM peak); 0 disables MFU
     */
    public Trainer(TeleChat2 model, CpuDevice device, PackedBatches data, TrainOptions options, double peakGflops) {
        this(model, device, BatchSource.of(data), options, peakGflops);
    }

    /**
     * Trains on a {@link BatchSource}, e.g. a {@link wanka.data.mix.DomainMixture}: with more than one domain each
     * step's per-domain loss is reported to the source (which may re-weight its domains), logged as
     * {@code domain_loss} / {@code domain_weights}, and the mixing state is checkpointed and restored on resume.
     */
    public Trainer(TeleChat2 model, CpuDevice device, BatchSource data, TrainOptions options, double peakGflops) {
        this.model = model;
        this.device = device;
        this.data = data;
        this.options = options;
        this.optimizer = new AdamWOptimizer(model, options.adam(), device);
        this.checkpoints = new Checkpoints(options.outDir());
        this.peakGflops = peakGflops;
    }

    public long step() {
        return step;
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /** What a resume loaded: the checkpoint, its step, and whether its files were checked against a manifest. */
    public record Resumed(Path checkpoint, long step, boolean verified) {
    }

    /** {@link #resumeFrom(Path, Consumer)} with its warnings on standard error. */
    public Resumed resumeFrom(Path checkpointDir) throws IOException {
        return resumeFrom(checkpointDir, System.err::println);
    }

    /**
     * Loads a checkpoint written by this trainer, or by the parallel trainer under any layout (its shards are assembled),
     * and continues after its step. Its files are first checked against its
     * manifest (an {@link IOException} names the file that fails); one without a manifest, written by an older
     * version, is loaded with a warning to {@code log}.
     */
    public Resumed resumeFrom(Path checkpointDir, Consumer<String> log) throws IOException {
        AssembledCheckpoint c = AssembledCheckpoint.read(checkpointDir, model.config());
        boolean verified = c.verified();
        if (!verified) log.accept("warning: " + checkpointDir + " has no " + CheckpointManifest.FILE + " (written by an older version), so its files cannot be verified");
        Checkpoints.State s = c.state();
        if (s.seed() != options.seed()) {
            throw new IllegalArgumentException(checkpointDir + ": checkpoint was trained with --seed " + s.seed() + ", this run has --seed " + options.seed());
        }
        if (s.dataTokens() != data.tokens() || s.batch() != options.batch() || s.seq() != options.seq() || s.gradAccum() != options.gradAccum()) {
            throw new IllegalArgumentException(checkpointDir + ": checkpoint was trained on " + s.dataTokens() + " tokens with batch " + s.batch() + " × seq " + s.seq()
                    + " × grad-accum " + s.gradAccum() + "; this run has " + data.tokens() + " tokens, batch " + options.batch() + " × seq " + options.seq()
                    + " × grad-accum " + options.gradAccum() + ", so it would not continue the same data order");
        }
        if (s.step() >= options.steps()) {
            throw new IllegalArgumentException(checkpointDir + ": checkpoint is at step " + s.step() + ", --steps " + options.steps() + ": nothing to train; raise --steps");
        }
        Checkpoints.load(c, model, optimizer);
        if (!c.layout().equals(CheckpointLayout.SINGLE)) log.accept("resharded " + checkpointDir + " (" + c.layout().describe() + ") into one process");
        var mixing = Checkpoints.readMixing(checkpointDir);
        if (mixing.isPresent()) data.restore(mixing.get());
        else if (data.domains().size() > 1) throw new IllegalArgumentException(checkpointDir + ": no data_mixture.json, so the domain weights of this mixed run cannot be restored");
        this.step = s.step();
        this.tokensSeen = s.tokensSeen();
        return new Resumed(checkpointDir, s.step(), verified);
    }

    /**
     * Resumes from the newest checkpoint of this run that verifies and loads, trying them newest first and saying on
     * {@code log} which it skips and why. Empty when the run has no checkpoint; an error when it has some but none loads.
     * A checkpoint that loads but does not fit this run (another seed, data shape or too few --steps) is an error, not skipped.
     */
    public Optional<Resumed> resumeLatest(Consumer<String> log) throws IOException {
        List<Path> candidates = checkpoints.newestFirst();
        for (Path dir : candidates) {
            try {
                return Optional.of(resumeFrom(dir, log));
            } catch (IOException e) {
                log.accept("skipping " + dir + ": " + Checkpoints.reason(e));
            }
        }
        if (candidates.isEmpty()) return Optional.empty();
        throw new IOException("none of the " + candidates.size() + " checkpoint(s) in " + checkpoints.root()
                + " verifies (see above); resume from another one by name or start again with --overwrite");
    }

    /** Keeps only the metrics lines of steps up to {@code lastStep} (all of them when the file is new). */
    public static void dropMetricsAfter(Path file, long lastStep) throws IOException {
        if (!Files.isRegularFile(file)) return;
        java.util.List<String> lines = Files.readAllLines(file);
        java.util.List<String> kept = lines.stream().filter(l -> {
            var m = java.util.regex.Pattern.compile("^\\{\"step\":(\\d+)").matcher(l);
            return m.find() && Long.parseLong(m.group(1)) <= lastStep;
        }).toList();
        if (kept.size() != lines.size()) Files.write(file, kept);
    }

    /** Runs until {@code options.steps()}; returns the last step's loss. */
    public double run(Listener listener) throws IOException {
        Path out = options.outDir();
        Files.createDirectories(out);
        LrSchedule schedule = options.lrSchedule();
        double flopsPerToken = model.config().flopsPerToken(options.seq());
        double lastLoss = Double.NaN;
        Path metricsFile = out.resolve("metrics.jsonl");
        dropMetricsAfter(metricsFile, step); // a resumed run rewrites the steps after its checkpoint
        try (BufferedWriter metrics = Files.newBufferedWriter(metricsFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             TensorBoardWriter tb = new TensorBoardWriter(out.resolve("tensorboard"))) {
            while (step < options.steps()) {
                long t0 = System.nanoTime();
                device.memory().resetPeak();
                double lossSum = 0;
                int domains = data.domains().size();
                double[] domainLossSum = new double[domains];
                long[] domainTokens = new long[domains];
                double[] domainWeights = data.mixing().weights();
                for (int micro = 0; micro < options.gradAccum(); micro++) {
                    MixedBatch mb = data.get(step, micro);
                    DomainLoss dl = DomainLoss.of(model, mb, domains);
                    Tensor loss = dl.loss();
                    for (int d = 0; d < domains; d++) {
                        domainLossSum[d] += dl.lossSum()[d];
                        domainTokens[d] += dl.tokens()[d];
                    }
                    lossSum += loss.item();
                    loss.backward();
                    loss.release();
                }
                if (options.gradAccum() > 1) optimizer.scaleGrads(1f / options.gradAccum());
                double norm = optimizer.gradNorm();
                if (!Double.isFinite(norm)) {
                    throw new IllegalStateException("step " + (step + 1) + ": gradient norm is " + norm + " (loss " + lossSum / options.gradAccum()
                            + "); lower --lr or check the data. Last checkpoint: " + checkpoints.latest().map(Path::toString).orElse("none"));
                }
                if (options.clipNorm() > 0 && norm > options.clipNorm()) optimizer.scaleGrads((float) (options.clipNorm() / (norm + 1e-6)));
                double lr = schedule.at(step);
                optimizer.step(lr);
                optimizer.zeroGrad();
                double[] domainLoss = new double[domains];
                for (int d = 0; d < domains; d++) domainLoss[d] = domainTokens[d] > 0 ? domainLossSum[d] / domainTokens[d] : Double.NaN;
                data.observe(step, domainLoss);
                step++;
                tokensSeen += options.tokensPerStep();
                double secs = (System.nanoTime() - t0) / 1e9;
                double tps = options.tokensPerStep() / secs;
                double gflops = tps * flopsPerToken / 1e9;
                lastLoss = lossSum / options.gradAccum();
                StepMetrics m = new StepMetrics(step, lastLoss, lr, norm, tps, gflops, peakGflops > 0 ? gflops / peakGflops : Double.NaN,
                        secs, tokensSeen, device.memory().peakBytes());
                if (domains > 1) m = m.withDomains(data.domains(), domainWeights, domainLoss);
                metrics.write(JSON.writeValueAsString(m));
                metrics.newLine();
                metrics.flush();
                Map<String, Double> scalars = new LinkedHashMap<>();
                scalars.put("train/loss", m.loss());
                scalars.put("train/lr", m.lr());
                scalars.put("train/grad_norm", m.gradNorm());
                scalars.put("perf/tokens_per_s", m.tokensPerSecond());
                tb.scalars(step, scalars);
                listener.onStep(m);
                if ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || step == options.steps()) {
                    Path dir = checkpoints.save(model, optimizer, new Checkpoints.State(step, options.seed(), tokensSeen, lastLoss,
                            options.schedule(), options.lr(), options.steps(), data.tokens(), options.batch(), options.seq(), options.gradAccum()), data.mixing());
                    listener.onCheckpoint(step, dir);
                }
            }
        }
        return lastLoss;
    }
}
