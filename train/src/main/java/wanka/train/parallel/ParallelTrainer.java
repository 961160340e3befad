package wanka.train.parallel;

import wanka.tensor.OpTimes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import wanka.data.Batch;
import wanka.data.PackedBatches;
import wanka.dist.DeviceMesh;
import wanka.dist.ProcessGroup;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.Backward;
import wanka.train.AssembledCheckpoint;
import wanka.train.CheckpointLayout;
import wanka.train.CheckpointWriter;
import wanka.train.Checkpoints;
import wanka.train.LrSchedule;
import wanka.train.RankShard;
import wanka.train.StepMetrics;
import wanka.train.TrainOptions;
import wanka.train.ft.Beats;
import wanka.train.ft.Heartbeat;
import wanka.train.store.DirectoryStore;
import wanka.train.store.StorageLevel;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Pre-training of one rank of a data-, tensor- and pipeline-parallel job (F1). Each step runs this rank's
 * {@link PipelineSchedule} over its micro-batches, its model chunks ({@link ParallelModel}) exchanging
 * activations and gradients with the neighbouring pipeline stages; the data-parallel gradient reduction runs
 * bucket by bucket during the last backward ({@link GradSync}); then the gradients are averaged, clipped by the
 * global norm over the whole mesh and AdamW updates the parameters this rank owns ({@link ShardedAdamW}).
 *
 * <p>The run computes what the single-process {@link wanka.train.Trainer} computes with batch
 * {@code microBatch·dp} and gradient accumulation {@link ParallelLayout#microBatches()}: the same data (data
 * rank d takes rows [d·b, (d+1)·b) of each micro-batch), the same initial weights, the same schedule; only the
 * order of floating-point sums differs, so losses agree to rounding. A given layout is bitwise reproducible.
 */
public final class ParallelTrainer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    /** How often a rank beats while a step runs (besides once after every step). */
    static final java.time.Duration BEAT_INTERVAL = java.time.Duration.ofMillis(500);

    private final RankEnv env;
    private final TrainOptions options;
    private final PackedBatches data;
    private final ParallelModel model;
    private final GradSync sync;
    private final ShardedAdamW optimizer;
    private final List<PipelineSchedule.Action> schedule;
    private final CommStats stats = new CommStats();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private long step;
    private long checkpointStallNanos;
    private final wanka.train.ft.Progress progress = new wanka.train.ft.Progress(); // phases finished, for the heartbeats

    /**
     * @param model the full model, built identically on every rank (same seed or same checkpoint)
     * @param mesh this rank's place in the layout ({@link DeviceMesh#create})
     * @param data batches of {@code microBatch·dp} sequences (every rank reads its own rows)
     * @param device this rank's device (not shared with other ranks)
     */
    public ParallelTrainer(TeleChat2 model, DeviceMesh mesh, ParallelLayout layout, TrainOptions options, PackedBatches data, CpuDevice device) {
        layout.check(model.config(), options.seq(), mesh.world().size());
        if (!mesh.shape().equals(layout.mesh())) throw new IllegalArgumentException("mesh " + mesh.shape() + " is not the layout's " + layout.mesh());
        this.options = options;
        this.data = data;
        this.env = new RankEnv(model.config(), layout, mesh, new Comm(stats), device, options.seq());
        model.parameters().forEach((k, v) -> shapes.put(k, v.shape().dims()));
        GradSync[] late = new GradSync[1];
        this.model = ParallelModel.of(model, env, g -> late[0].ready(g));
        this.sync = late[0] = new GradSync(this.model.flat, env.comm(), mesh.dp(), layout.zero(), this.model.groups);
        this.optimizer = new ShardedAdamW(this.model.flat, sync.owned(), options.adam(), env.tpRank(), device);
        this.schedule = PipelineSchedule.of(layout.pp(), mesh.pp().rank(), layout.microBatches(), layout.vpp());
    }

    public long step() {
        return step;
    }

    /** This data-parallel rank's rows of micro-batch {@code micro} of step {@code step}. */
    private Batch localBatch(long step, int micro) {
        Batch full = data.get(step, micro);
        int b = env.layout().microBatch(), dp = env.mesh().dp().size(), d = env.mesh().dp().rank(), s = full.seq();
        if (full.batch() != b * dp) {
            throw new IllegalArgumentException("the data gives batches of " + full.batch() + " sequences; this layout needs micro-batch " + b + " × dp " + dp);
        }
        return new Batch(Arrays.copyOfRange(full.inputs(), d * b * s, (d + 1) * b * s), Arrays.copyOfRange(full.targets(), d * b * s, (d + 1) * b * s), b, s);
    }

    /** Shape of the activation passed between pipeline stages. */
    private Shape activationShape() {
        ParallelLayout l = env.layout();
        int h = env.config().hiddenSize();
        return l.splitsRows() ? Shape.of(l.microBatch() * options.seq() / l.tp(), h) : Shape.of(l.microBatch(), options.seq(), h);
    }

    /** Runs one optimizer step; collective over the world. */
    public StepLog runStep() {
        long t0 = System.nanoTime();
        stats.reset();
        env.device().memory().resetPeak();
        ParallelLayout layout = env.layout();
        ProcessGroup pp = env.mesh().pp();
        int m = layout.microBatches(), v = layout.vpp(), p = pp.size(), r = pp.rank();
        int prev = (r + p - 1) % p, next = (r + 1) % p;
        Shape act = activationShape();
        int actN = (int) act.numel();
        Tensor[][] inputs = new Tensor[v][m], outputs = new Tensor[v][m];
        List<Comm.Pending> sends = new ArrayList<>();
        double lossSum = 0;
        sync.begin();
        for (PipelineSchedule.Action a : schedule) {
            ModelChunk chunk = model.chunks.get(a.chunk());
            int c = a.chunk(), i = a.micro();
            if (a.forward()) {
                Tensor in = null;
                if (!chunk.first()) {
                    in = Tensor.zeros(env.device(), act);
                    env.comm().recv(pp, in.data(), in.offset(), actN, prev, 2 * c);
                    in.requiresGrad(true);
                }
                Tensor out = chunk.forward(in, localBatch(step, i));
                inputs[c][i] = in;
                outputs[c][i] = out;
                if (chunk.last()) lossSum += out.item();
                else sends.add(env.comm().send(pp, out.data(), out.offset(), actN, next, 2 * (r == p - 1 ? c + 1 : c)));
            } else {
                boolean lastMicro = i == m - 1;
                sync.arm(lastMicro);
                Tensor out = outputs[c][i];
                if (chunk.last()) {
                    Backward.run(out);
                } else {
                    Tensor g = Tensor.zeros(env.device(), act);
                    env.comm().recv(pp, g.data(), g.offset(), actN, next, 2 * c + 1);
                    Backward.run(out, g);
                }
                out.release();
                if (lastMicro) for (int g : chunk.allGroups()) sync.ready(g);
                sync.arm(false);
                Tensor in = inputs[c][i];
                if (in != null) {
                    Tensor gi = in.grad();
                    sends.add(env.comm().send(pp, gi.data(), gi.offset(), actN, prev, 2 * (r == 0 ? c - 1 : c) + 1));
                    in.setGrad(null);
                    gi.release();
                    in.release();
                }
                inputs[c][i] = outputs[c][i] = null;
            }
            progress.tick();
        }
        for (Comm.Pending s : sends) s.await();
        sync.finish();
        progress.tick();
        FlatParams flat = model.flat;
        if (layout.splitsRows()) { // norms saw only this rank's rows: sum their gradients over tp (Megatron's layernorm all-reduce)
            for (FlatParams.Slot s : flat.slots) if (s.split() == Split.REPLICATED) env.comm().allReduce(env.mesh().tp(), flat.grads, s.offset(), s.numel());
        }
        OpTimes times = env.device().opTimes();
        long tNorm = System.nanoTime();
        optimizer.scaleGrads(1f / (layout.dp() * m));
        double[] sq = {optimizer.sumOfSquares()};
        if (times != null) times.add("grad_scale_and_norm", tNorm);
        env.comm().allReduce(env.mesh().tp(), sq);
        env.comm().allReduce(pp, sq);
        if (layout.zero()) env.comm().allReduce(env.mesh().dp(), sq);
        double norm = Math.sqrt(sq[0]);
        double[] loss = {model.chunks.getLast().last() ? lossSum / m : 0};
        env.comm().allReduce(pp, loss);
        env.comm().allReduce(env.mesh().dp(), loss);
        loss[0] /= layout.dp();
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("step " + (step + 1) + ": gradient norm is " + norm + " (loss " + loss[0] + "); lower --lr or check the data");
        }
        if (options.clipNorm() > 0 && norm > options.clipNorm()) optimizer.scaleGrads((float) (options.clipNorm() / (norm + 1e-6)));
        LrSchedule lrs = options.lrSchedule();
        double lr = lrs.at(step);
        long tOpt = System.nanoTime();
        optimizer.step(lr);
        if (times != null) times.add("adamw", tOpt);
        progress.tick();
        sync.gatherParams();
        progress.tick();
        step++;
        double ms = (System.nanoTime() - t0) / 1e6, exposed = stats.exposedNanos() / 1e6, bubble = stats.bubbleNanos() / 1e6;
        return new StepLog(env.mesh().world().rank(), step, loss[0], lr, norm, ms, Math.max(0, ms - exposed - bubble), exposed,
                stats.overlappedNanos() / 1e6, bubble, env.device().memory().peakBytes(), stats.bytes(),
                model.flat.buckets.size(), sync.startedEarly());
    }

    /**
     * Trains until {@code options.steps()}, writing each step's {@link StepLog} to {@code ranks/rank-NNNNN.jsonl}
     * under the output directory and handing it to {@code listener}; at the end, the gathered model is saved by
     * world rank 0 as an HF model directory {@code model/} there. Returns this rank's logs. No checkpoints.
     */
    public List<StepLog> run(Consumer<StepLog> listener) throws IOException {
        return run(listener, CheckpointWriter.Policy.NONE, System.err::println);
    }

    /**
     * {@link #run(Consumer)} with sharded checkpoints under {@code <out>/checkpoints} as {@code policy} says (each rank
     * writes its shard, world rank 0 commits). After a {@link #resume} the logs continue after the checkpoint's step.
     */
    public List<StepLog> run(Consumer<StepLog> listener, CheckpointWriter.Policy policy, Consumer<String> log) throws IOException {
        Path dir = options.outDir().resolve("ranks");
        Files.createDirectories(dir);
        List<StepLog> logs = new ArrayList<>();
        int rank = env.mesh().world().rank();
        boolean first = rank == 0;
        long tokensPerStep = (long) env.layout().globalBatch() * options.seq();
        double flopsPerToken = env.config().flopsPerToken(options.seq());
        Path rankLog = dir.resolve(String.format("rank-%05d.jsonl", rank)), metricsFile = options.outDir().resolve("metrics.jsonl");
        StepLines.keepUpTo(rankLog, step);
        if (first) StepLines.keepUpTo(metricsFile, step);
        try (BufferedWriter w = StepLines.append(rankLog);
             BufferedWriter metrics = first ? StepLines.append(metricsFile) : null;
             CheckpointWriter checkpoints = new CheckpointWriter(options.outDir(), rank, checkpointLayout(), env.config(), policy, log, env.mesh().world(), progress);
             Beats beats = new Beats(options.outDir(), rank, step, BEAT_INTERVAL, progress)) { // for the agent supervising the job
            while (step < options.steps()) {
                StepLog s = runStep();
                beats.stepDone(Heartbeat.now(rank, step, s.stepMs(), s.computeMs(), "ok"));
                checkpoints.afterStep(step, options.steps(), this::snapshot, () -> state(s.loss()));
                w.write(JSON.writeValueAsString(s));
                w.newLine();
                w.flush();
                if (metrics != null) { // the single-process metrics line, for the same tools
                    double tps = tokensPerStep / (s.stepMs() / 1e3);
                    metrics.write(JSON.writeValueAsString(new StepMetrics(s.step(), s.loss(), s.lr(), s.gradNorm(), tps, tps * flopsPerToken / 1e9,
                            Double.NaN, s.stepMs() / 1e3, s.step() * tokensPerStep, s.peakBytes())));
                    metrics.newLine();
                    metrics.flush();
                }
                logs.add(s);
                listener.accept(s);
            }
            checkpoints.flush();
            checkpointStallNanos = checkpoints.stallNanos();
            if (first && checkpoints.saves() > 0) {
                log.accept(String.format("checkpoints: %d saved (%s), the steps were held %.1f ms per checkpoint", checkpoints.saves(),
                        policy.async() ? "asynchronous" : "synchronous", checkpoints.stallNanos() / 1e6 / checkpoints.saves()));
            }
        }
        save(options.outDir().resolve("model"));
        return logs;
    }

    /** Nanoseconds the last {@link #run} spent held by checkpointing (snapshots, and writes when synchronous). */
    public long checkpointStallNanos() {
        return checkpointStallNanos;
    }

    /** The layout as a checkpoint's manifest records it. */
    public CheckpointLayout checkpointLayout() {
        ParallelLayout l = env.layout();
        return new CheckpointLayout(l.tp(), l.dp(), l.pp(), l.vpp(), l.zero());
    }

    /** The trainer state after the current step, as the single-process trainer records it (batch = micro-batch × dp). */
    private Checkpoints.State state(double lastLoss) {
        ParallelLayout l = env.layout();
        long tokensPerStep = (long) l.globalBatch() * options.seq();
        return new Checkpoints.State(step, options.seed(), step * tokensPerStep, lastLoss, options.schedule(), options.lr(), options.steps(),
                data.tokens(), l.microBatch() * l.dp(), options.seq(), l.microBatches());
    }

    /** A copy of what this rank saves: {@link ShardCopy#of}. */
    RankShard snapshot() {
        return ShardCopy.of(model.flat, optimizer, env, step);
    }

    /**
     * Sets this rank's parameters, optimizer moments and step from a checkpoint written under any layout (or by the
     * single-process trainer): each takes its own slices of the full tensors. Refuses another model's checkpoint.
     */
    public void restore(AssembledCheckpoint c) {
        c.requireModel(env.config());
        ShardCopy.restore(c, model.flat, optimizer, env);
        step = c.step();
    }

    /** {@link #resume(List, Consumer)} from the run's own {@code <out>/checkpoints}. */
    public Optional<AssembledCheckpoint> resume(Consumer<String> log) throws IOException {
        return resume(CheckpointWriter.Policy.NONE.storage(options.outDir()), log);
    }

    /**
     * {@link #resume(List, Consumer)} over every level of {@code policy}; with level 1 on peer hosts, world rank 0 first
     * assembles the newest step every rank's shard is kept for (own copies and peer copies, from all host areas) into
     * {@code <out>/.fetched/level1/}, which then counts as level 1 (a collective over the world).
     */
    public Optional<AssembledCheckpoint> resume(CheckpointWriter.Policy policy, Consumer<String> log) throws IOException {
        List<StorageLevel> levels = new ArrayList<>(policy.storage(options.outDir()));
        if (policy.peer() != null) {
            Path assembled = options.outDir().resolve(".fetched").resolve("level1");
            policy.peer().open(env.mesh().world()).recover(assembled, log);
            levels.addFirst(new StorageLevel(1, "memory on peer hosts, assembled", DirectoryStore.at(assembled), 0, 0));
        }
        return resume(levels, log);
    }

    /**
     * Resumes from the newest checkpoint over all {@code levels} that verifies, the faster level first for the same
     * step, falling back level by level and step by step (a collective over the world): world rank 0 picks it (fetching
     * it into {@code <out>/.fetched/} from an object store), saying on {@code log} what it skips and why, and tells the
     * others; every rank then loads its slices. Empty when there is none. A checkpoint that verifies but does not fit
     * this run (another model, seed, data or batch shape, no steps left) is an error on every rank, naming it.
     */
    public Optional<AssembledCheckpoint> resume(List<StorageLevel> levels, Consumer<String> log) throws IOException {
        Path scratch = options.outDir().resolve(".fetched");
        double[] chosen = {0, 0}; // level index + 1 (0: none, -1: refused), step
        String error = null;
        AssembledCheckpoint picked = null;
        int candidates = 0;
        if (env.mesh().world().rank() == 0) {
            record Candidate(int level, long step) {
            }
            List<Candidate> all = new ArrayList<>();
            for (int i = 0; i < levels.size(); i++) {
                try {
                    levels.get(i).store().clearStaging(); // a restarted job writes its checkpoints afresh
                    for (long st : levels.get(i).store().committedSteps()) all.add(new Candidate(i, st));
                } catch (IOException e) {
                    log.accept("skipping " + levels.get(i).describe() + ": " + Checkpoints.reason(e));
                }
            }
            all.sort(java.util.Comparator.comparingLong(Candidate::step).reversed().thenComparingInt(Candidate::level));
            candidates = all.size();
            for (Candidate cand : all) {
                StorageLevel level = levels.get(cand.level());
                try {
                    AssembledCheckpoint c = AssembledCheckpoint.read(level.store().fetch(cand.step(), scratch), env.config());
                    error = fitProblem(c);
                    picked = c;
                    chosen[0] = error == null ? cand.level() + 1 : -1;
                    chosen[1] = cand.step();
                    break;
                } catch (IllegalArgumentException e) {
                    error = e.getMessage();
                    chosen[0] = -1;
                    break;
                } catch (IOException e) {
                    log.accept("skipping step " + cand.step() + " of " + level.describe() + ": " + Checkpoints.reason(e));
                }
            }
            if (chosen[0] == 0 && candidates > 0) chosen[0] = -2;
        }
        env.comm().allReduce(env.mesh().world(), chosen);
        int level = (int) chosen[0];
        long step = (long) chosen[1];
        if (level == -1) throw new IllegalArgumentException(error != null ? error : "rank 0 refused the newest checkpoint (see its message)");
        if (level == -2) throw new IOException("none of the checkpoints in " + levels.stream().map(StorageLevel::describe).toList() + " verifies (see above); start again with --overwrite");
        if (level == 0) return Optional.empty();
        AssembledCheckpoint c = picked != null ? picked : AssembledCheckpoint.read(levels.get(level - 1).store().local(step, scratch), env.config());
        restore(c);
        return Optional.of(c);
    }

    /** Why checkpoint {@code c} cannot continue this run, or null when it can. */
    private String fitProblem(AssembledCheckpoint c) {
        Checkpoints.State s = c.state();
        ParallelLayout l = env.layout();
        if (s.seed() != options.seed()) return c.dir() + ": checkpoint was trained with --seed " + s.seed() + ", this run has --seed " + options.seed();
        if (s.dataTokens() != data.tokens() || s.batch() != l.microBatch() * l.dp() || s.seq() != options.seq() || s.gradAccum() != l.microBatches()) {
            return c.dir() + ": checkpoint was trained on " + s.dataTokens() + " tokens with " + s.batch() + " sequences per micro-batch × seq " + s.seq() + " × "
                    + s.gradAccum() + " micro-batches; this run has " + data.tokens() + " tokens, " + l.microBatch() * l.dp() + " × seq " + options.seq() + " × "
                    + l.microBatches() + " (micro-batch × dp must stay the same), so it would not continue the same data order";
        }
        if (s.step() >= options.steps()) return c.dir() + ": checkpoint is at step " + s.step() + ", --steps " + options.steps() + ": nothing to train; raise --steps";
        return null;
    }

    /**
     * Every parameter of the full model under its HF name, assembled from all ranks (a collective over the
     * world: each part is written by its owner, data-parallel rank 0 and, for replicas, tensor-parallel rank 0,
     * into a zero buffer that is then summed, which adds only zeros to each value). Returned on world rank 0;
     * empty elsewhere.
     */
    public Map<String, float[]> gather() {
        Map<String, Integer> offsets = new LinkedHashMap<>();
        int total = 0;
        for (var e : shapes.entrySet()) {
            offsets.put(e.getKey(), total);
            total += Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
        }
        float[] all = new float[total];
        if (env.mesh().dp().rank() == 0) {
            for (FlatParams.Slot s : model.flat.slots) {
                if (!s.split().owns(env.tpRank())) continue;
                int n = Arrays.stream(s.fullShape()).reduce(1, (a, b) -> a * b);
                float[] full = new float[n];
                s.split().place(model.flat.params, s.offset(), s.fullShape(), env.tpRank(), env.tpSize(), full);
                System.arraycopy(full, 0, all, offsets.get(s.name()), n);
            }
        }
        env.comm().allReduce(env.mesh().world(), all, 0, total);
        Map<String, float[]> out = new LinkedHashMap<>();
        if (env.mesh().world().rank() != 0) return out;
        for (var e : shapes.entrySet()) {
            int o = offsets.get(e.getKey()), n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            out.put(e.getKey(), Arrays.copyOfRange(all, o, o + n));
        }
        return out;
    }

    /** Gathers the model and, on world rank 0, writes it to {@code dir} as an HF model directory ({@code generate} loads it). */
    public void save(Path dir) throws IOException {
        Map<String, float[]> full = gather();
        if (full.isEmpty()) return;
        TeleChat2Config c = env.config();
        TeleChat2 m = TeleChat2.fromParameters(c, name -> Tensor.wrap(env.device(), full.get(name), shapes.get(name)));
        ModelIO.save(m, dir);
    }

    @Override
    public void close() {
        env.comm().close();
    }
}
