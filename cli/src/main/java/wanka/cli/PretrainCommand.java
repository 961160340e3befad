package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.data.PackedBatches;
import wanka.data.mix.BatchSource;
import wanka.data.mix.Domain;
import wanka.data.mix.DomainMixture;
import wanka.data.mix.MixingWeights;
import wanka.data.mix.OdmWeights;
import wanka.data.mix.StaticWeights;
import wanka.data.TokenShard;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.RunDirectory;
import wanka.train.TrainOptions;
import wanka.train.Trainer;
import wanka.train.parallel.ParallelLayout;
import wanka.train.recompute.RecomputePlan;
import wanka.train.recompute.RecomputingBlock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pre-train a TeleChat2 model on packed token shards (or a text file plus a tokenizer).",
                "Writes <out>/metrics.jsonl, <out>/tensorboard/ and checkpoints <out>/checkpoints/step-N/ (HF model dir + optimizer state",
                "+ manifest.json of checksums, verified on resume). The final model is also saved as an HF directory at <out>/model.",
                "<out> is locked while the run lasts; an <out> holding an earlier run needs --resume or --overwrite."},
        footer = {"", "Examples:",
                "  wanka pretrain --preset nano --text corpus.txt --tokenizer tok/ --out runs/a --steps 200",
                "  wanka pretrain --config config.json --data train.tokens --out runs/b --resume auto"})
final class PretrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--init", paramLabel = "DIR", description = "Start from the weights of an HF TeleChat2 directory instead of random init.")
    Path init;

    @Option(names = "--data", paramLabel = "SHARD", description = "Packed token shard(s) (.tokens, see docs/formats.md). Repeatable.")
    List<Path> data = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Domain-tagged shards as the data pipeline's tokenize step writes them: DIR/<domain>/*.tokens; sampled by --mixing.")
    Path dataDir;

    @Option(names = "--mixing", defaultValue = "proportional", paramLabel = "RULE",
            description = "With --data-dir: uniform, proportional (to domain tokens), odm (online, EXP3 on per-domain loss), odm-exp (the same with the official code's exp(loss) reward) or weights like 3,1,1 in domain order (default: ${DEFAULT-VALUE}).")
    String mixing;

    @Option(names = "--text", paramLabel = "FILE", description = "A UTF-8 text file (one document per line); tokenized with --tokenizer into <out>/data/.")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer directory (tokenizer.json or tokenizer.model) for --text.")
    Path tokenizer;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Run directory.")
    Path out;

    @Mixin
    OptimizerOptions optim = OptimizerOptions.pretraining();

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", description = "Tokens per sequence (default: the config's training_seqlen).")
    Integer seq;

    @Option(names = "--seed", defaultValue = "1234", description = "Seed for init and data sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Checkpoint every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "0", paramLabel = "N",
            description = "Parallel runs: keep the newest N checkpoints, deleting older ones after each commit; 0 = all (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @picocli.CommandLine.Mixin
    StorageOptions storage = new StorageOptions();

    @Option(names = "--async-checkpoints", description = "Parallel runs: a step pays only for a copy of its state; each rank writes its shard in the background, one write in flight.")
    boolean asyncCheckpoints;

    @Option(names = "--resume", paramLabel = "DIR|auto",
            description = "Continue from a checkpoint directory, or 'auto' for the newest one in <out> that verifies (none: start).")
    String resume;

    @Option(names = "--overwrite", description = "Remove the outputs of an earlier run in <out> first (without it or --resume, such an <out> is refused).")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Mixin
    ParallelOptions parallel = new ParallelOptions();

    private MixingWeights mixingRule(List<Domain> domains) {
        long[] tokens = domains.stream().mapToLong(Domain::tokens).toArray();
        return switch (mixing) {
            case "uniform" -> StaticWeights.uniform(domains.size());
            case "proportional" -> StaticWeights.proportional(tokens);
            case "odm" -> OdmWeights.start(StaticWeights.uniform(domains.size()), 0);
            case "odm-exp" -> OdmWeights.start(StaticWeights.uniform(domains.size()), 0, OdmWeights.EXP_LOSS);
            default -> {
                String[] parts = mixing.split(",");
                if (parts.length != domains.size()) {
                    throw new IllegalArgumentException("--mixing: " + parts.length + " weights for " + domains.size() + " domains "
                            + domains.stream().map(Domain::name).toList() + " (or use uniform, proportional, odm, odm-exp)");
                }
                double[] w = new double[parts.length];
                for (int i = 0; i < w.length; i++) {
                    try {
                        w[i] = Double.parseDouble(parts[i].strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--mixing: '" + parts[i] + "' is not a number (use uniform, proportional, odm or weights like 3,1,1)");
                    }
                }
                yield StaticWeights.of(w);
            }
        };
    }

    @Override
    public Integer call() throws Exception {
        TeleChat2Config cfg = init != null ? TeleChat2Config.read(init.resolve("config.json")) : model.resolve("nano");
        if (text != null && tokenizer == null) throw new IllegalArgumentException("--text needs --tokenizer DIR");
        if (data.isEmpty() && text == null && dataDir == null) throw new IllegalArgumentException("no training data: give --data SHARD, --data-dir DIR or --text FILE --tokenizer DIR");
        if (dataDir != null && (!data.isEmpty() || text != null)) throw new IllegalArgumentException("give either --data-dir or --data/--text, not both");
        if (overwrite && resume != null) throw new IllegalArgumentException("give either --resume or --overwrite, not both");
        int seqLen = seq != null ? seq : cfg.trainingSeqlen();
        // Checks every numeric option before the run directory is taken, any data tokenized or memory allocated.
        optim.check();
        TrainOptions opts = new TrainOptions(batch, seqLen, optim.steps, optim.gradAccum, optim.lr, optim.minLr, optim.warmup, optim.schedule, optim.clip,
                optim.adam(), seed, 1, checkpointEvery, out);
        if (parallel.requested()) return ParallelPretrain.run(this, cfg);
        RecomputePlan plan = parallel.recomputePlan(); // a bad --recompute is an error before anything starts
        var problems = plan.problems(cfg.numLayers(), ParallelLayout.single(batch, optim.gradAccum).planFields());
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        HeapCheck.requireFits(cfg, batch, seqLen);
        RunDirectory.Start start = resume != null ? RunDirectory.Start.RESUME : overwrite ? RunDirectory.Start.OVERWRITE : RunDirectory.Start.FRESH;
        try (RunDirectory run = RunDirectory.open(out, start, System.err::println)) {
            return train(cfg, opts, seqLen);
        }
    }

    /** Wraps each layer of {@code m} in what {@code --recompute} says it recomputes (checked against the run in {@link #call}). */
    private void recompute(TeleChat2 m) {
        RecomputePlan plan = parallel.recomputePlan();
        int[] layer = {0};
        m.mapBlocks(b -> RecomputingBlock.wrap(b, layer[0]++, plan));
    }

    private int train(TeleChat2Config cfg, TrainOptions opts, int seqLen) throws Exception {
        List<Path> shards = new ArrayList<>(data);
        if (text != null) shards.add(Corpora.tokenizeText(text, tokenizer, out.resolve("data"), quiet));
        try (CpuDevice device = threads != null ? CpuDevice.withThreads(threads) : CpuDevice.withThreads(Runtime.getRuntime().availableProcessors())) {
            List<TokenShard> opened = new ArrayList<>();
            try {
                List<Domain> domains = dataDir != null ? Domain.scan(dataDir) : List.of();
                domains.forEach(d -> opened.addAll(d.shards()));
                for (Path p : shards) opened.add(TokenShard.open(p));
                for (TokenShard s : opened) {
                    if (s.vocabSize() > cfg.vocabSize()) {
                        throw new IllegalArgumentException(s.path() + ": shard vocabulary " + s.vocabSize() + " exceeds the model's vocab_size " + cfg.vocabSize()
                                + " (use --vocab-size " + s.vocabSize() + ")");
                    }
                }
                BatchSource batches = dataDir != null
                        ? new DomainMixture(domains, batch, seqLen, seed, mixingRule(domains))
                        : BatchSource.of(new PackedBatches(opened, batch, seqLen, seed));
                TeleChat2 m = init != null ? ModelIO.load(init, device) : TeleChat2.initialize(cfg, device, seed);
                recompute(m);
                double peak = PeakFlops.measure(device);
                Trainer trainer = new Trainer(m, device, batches, opts, peak);
                Optional<Trainer.Resumed> from = resume == null ? Optional.empty()
                        : resume.equals("auto") ? trainer.resumeLatest(System.err::println) : Optional.of(trainer.resumeFrom(Path.of(resume), System.err::println));
                from.ifPresent(r -> System.err.println("resumed from " + r.checkpoint() + " at step " + r.step()
                        + (!r.verified() ? " (not verified)" : resume.equals("auto") ? " (the newest checkpoint that verifies)" : " (verified)")));
                System.err.printf("model: %s, %,d parameters; data: %,d tokens in %d shard(s)%s; %,d tokens/step; %s; MFU vs measured GEMM peak %.1f GFLOP/s%n",
                        cfg.numLayers() + " layers × " + cfg.hiddenSize(), cfg.parameterCount(), batches.tokens(), opened.size(),
                        dataDir != null ? ", domains " + batches.domains() + " mixed " + mixing : "", opts.tokensPerStep(), device, peak);
                double loss;
                try (TrainProgress progress = new TrainProgress(optim.steps, trainer.step(), quiet)) {
                    loss = trainer.run(progress);
                }
                Path finalDir = out.resolve("model");
                ModelIO.save(m, finalDir);
                if (tokenizer != null) Corpora.copyTokenizer(tokenizer, finalDir);
                System.err.printf("done: final loss %.4f; model saved to %s; metrics in %s%n", loss, finalDir, out.resolve("metrics.jsonl"));
            } finally {
                for (TokenShard s : opened) s.close();
            }
        }
        return 0;
    }
}
