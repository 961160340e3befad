package wanka.cli;

import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.Backend;
import wanka.dist.World;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.CheckpointWriter;
import wanka.train.RunDirectory;
import wanka.train.StepMetrics;
import wanka.train.TrainOptions;
import wanka.train.parallel.ParallelLayout;
import wanka.train.parallel.ParallelRun;
import wanka.train.parallel.StepLog;
import wanka.train.plan.PlanCheck;
import wanka.train.plan.PlanFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code pretrain} with a parallel layout: opens the world the environment describes (Open MPI under a launcher,
 * else in-process ranks: {@code WANKA_DIST_RANKS} of them, or as many as the layout needs), checks the layout
 * against the model, the batch and the world before anything runs, and trains every local rank. World rank 0
 * holds the run directory, draws the progress bar, writes {@code metrics.jsonl} and the final HF model; every
 * rank writes {@code ranks/rank-NNNNN.jsonl} and its shard of each checkpoint ({@code --checkpoint-every}), which
 * rank 0 commits; {@code --resume auto} continues from the newest checkpoint that verifies, whatever layout wrote it.
 */
final class ParallelPretrain {
    private ParallelPretrain() {
    }

    static int run(PretrainCommand c, TeleChat2Config cfg) throws Exception {
        if (c.dataDir != null) throw new IllegalArgumentException("--data-dir (domain mixing) is not supported with a parallel layout yet; give --data shards");
        if (c.resume != null && !c.resume.equals("auto")) {
            throw new IllegalArgumentException("--resume " + c.resume + ": a parallel run resumes with --resume auto, from the newest checkpoint in <out>/checkpoints that verifies (any layout, or a single-process run's)");
        }
        if (c.overwrite && c.resume != null) throw new IllegalArgumentException("give either --resume or --overwrite, not both");
        Map<String, String> env = System.getenv();
        Backend backend = Backend.detect(env);
        boolean mpi = backend instanceof Backend.Mpi;
        if (mpi && c.text != null) throw new IllegalArgumentException("--text is tokenized by one process; under mpirun tokenize first ('wanka tokenizer' / 'wanka data') and give --data");
        PlanFile plan = c.parallel.planFile();
        int seqLen = c.seq != null ? c.seq : plan != null ? plan.layout().seq() : cfg.trainingSeqlen();
        if (plan != null) {
            if (seqLen != plan.layout().seq()) throw new IllegalArgumentException("--plan " + c.parallel.plan + " was made for --seq " + plan.layout().seq() + ", this run has " + seqLen);
            if (plan.parameters() != cfg.parameterCount()) {
                throw new IllegalArgumentException("--plan " + c.parallel.plan + " was made for model " + plan.model() + " of " + String.format("%,d", plan.parameters())
                        + " parameters; this run's model has " + String.format("%,d", cfg.parameterCount()));
            }
        }
        int launched = backend instanceof Backend.InProcess p ? p.ranks() : Integer.parseInt(env.getOrDefault("OMPI_COMM_WORLD_SIZE", env.getOrDefault("SLURM_NTASKS", "1")).strip());
        ParallelLayout layout = c.parallel.layout(c.batch, c.optim.gradAccum, launched > 1 || mpi ? launched : 0);
        int ranks = launched > 1 || mpi ? launched : layout.worldSize();
        layout.check(cfg, seqLen, ranks); // before any rank starts, with the reason
        boolean rankZero = !mpi || "0".equals(env.getOrDefault("OMPI_COMM_WORLD_RANK", env.getOrDefault("PMIX_RANK", env.get("PMI_RANK"))));
        RunDirectory.Start start = c.resume != null ? RunDirectory.Start.RESUME : c.overwrite ? RunDirectory.Start.OVERWRITE : RunDirectory.Start.FRESH;
        try (RunDirectory ignored = rankZero ? RunDirectory.open(c.out, start, System.err::println) : null) {
            return train(c, cfg, layout, seqLen, backend, ranks, rankZero);
        }
    }

    private static int train(PretrainCommand c, TeleChat2Config cfg, ParallelLayout layout, int seqLen, Backend backend, int ranks, boolean rankZero) throws Exception {
        List<Path> shards = new ArrayList<>(c.data);
        if (c.text != null) shards.add(Corpora.tokenizeText(c.text, c.tokenizer, c.out.resolve("data"), c.quiet));
        List<TokenShard> opened = new ArrayList<>();
        try {
            for (Path p : shards) opened.add(TokenShard.open(p));
            for (TokenShard s : opened) {
                if (s.vocabSize() > cfg.vocabSize()) {
                    throw new IllegalArgumentException(s.path() + ": shard vocabulary " + s.vocabSize() + " exceeds the model's vocab_size " + cfg.vocabSize());
                }
            }
            int local = backend instanceof Backend.Mpi ? 1 : ranks;
            int threads = Math.max(1, (c.threads != null ? c.threads : Runtime.getRuntime().availableProcessors()) / local);
            TrainOptions opts = new TrainOptions(layout.microBatch() * layout.dp(), seqLen, c.optim.steps, layout.microBatches(), c.optim.lr, c.optim.minLr, c.optim.warmup, c.optim.schedule, c.optim.clip,
                    c.optim.adam(), c.seed, 1, 0, c.out);
            PackedBatches data = new PackedBatches(opened, layout.microBatch() * layout.dp(), seqLen, c.seed);
            var job = new ParallelRun.Job(layout, opts, device -> {
                try {
                    return c.init != null ? ModelIO.load(c.init, device) : TeleChat2.initialize(cfg, device, c.seed);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, data, threads);
            if (rankZero) {
                System.err.printf("model: %d layers × %d, %,d parameters; layout %s on %d ranks (%s), %d thread(s) each; %,d tokens/step%n",
                        cfg.numLayers(), cfg.hiddenSize(), cfg.parameterCount(), layout.describe(), ranks,
                        backend instanceof Backend.Mpi ? "Open MPI, one process per rank" : "in-process, one thread per rank", threads, (long) layout.globalBatch() * seqLen);
            }
            long tokensPerStep = (long) layout.globalBatch() * seqLen;
            double[] last = {Double.NaN};
            PlanCheck check = c.parallel.planFile() != null ? new PlanCheck(c.parallel.planFile(), c.optim.steps) : null;
            long openingMs = System.currentTimeMillis();
            try (World world = backend instanceof Backend.Mpi ? World.open(backend, World.DEFAULT_TIMEOUT) : World.open(new Backend.InProcess(ranks), World.DEFAULT_TIMEOUT);
                 TrainProgress progress = rankZero ? new TrainProgress(c.optim.steps, 0, c.quiet) : null) {
                var policy = CheckpointWriter.Policy.every(c.checkpointEvery, c.keepCheckpoints, c.asyncCheckpoints).withLevels(c.storage.levels(c.checkpointEvery)).withPeerMemory(c.storage.peerMemory());
                long openMs = System.currentTimeMillis();
                boolean[] first = {true};
                ParallelRun.run(world, job, policy, c.resume != null, (StepLog s) -> {
                    PlanCheck.Comparison cmp = check != null ? check.accept(s) : null;
                    if (cmp != null) System.err.println(cmp.describe());
                    if (s.rank() != 0 || progress == null) return;
                    if (first[0]) { // where a (re)start's time goes
                        first[0] = false;
                        long jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime(), now = System.currentTimeMillis();
                        System.err.printf("startup: JVM start to opening the world %d ms, opening it (MPI init) %d ms, then model, resume and the first step %d ms (the step itself %.0f ms)%n",
                                openingMs - jvm, openMs - openingMs, now - openMs, s.stepMs());
                    }
                    last[0] = s.loss();
                    double tps = tokensPerStep / (s.stepMs() / 1e3);
                    progress.onStep(new StepMetrics(s.step(), s.loss(), s.lr(), s.gradNorm(), tps, 0, Double.NaN, s.stepMs() / 1e3, s.step() * tokensPerStep, s.peakBytes()));
                }, System.err::println);
            }
            if (rankZero) {
                Path finalDir = c.out.resolve("model");
                if (c.tokenizer != null) Corpora.copyTokenizer(c.tokenizer, finalDir);
                System.err.printf("done: final loss %.4f; model saved to %s; metrics in %s, per-rank step logs in %s%n",
                        last[0], finalDir, c.out.resolve("metrics.jsonl"), c.out.resolve("ranks"));
            }
        } finally {
            for (TokenShard s : opened) s.close();
        }
        return 0;
    }
}
