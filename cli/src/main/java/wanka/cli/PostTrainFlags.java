package wanka.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.RunDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The options every post-training command (sft, rm, dpo) shares: data, run directory, optimizer, threads. */
final class PostTrainFlags {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF TeleChat2 model directory to start from (e.g. a pretrain run's <out>/model).")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer directory with TeleChat2's chat tokens (default: the --model directory).")
    Path tokenizer;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL training data. Repeatable.")
    List<Path> data = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (locked while the run lasts).")
    Path out;

    @Mixin
    OptimizerOptions optim = OptimizerOptions.postTraining();

    @Option(names = "--batch", defaultValue = "4", description = "Samples (sft) or pairs (rm, dpo) per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", description = "Longest rendered sample in tokens; longer lines are quarantined (default: the model's training_seqlen).")
    Integer seq;

    @Option(names = "--seed", defaultValue = "1234", description = "Seed for data order, heads and adapters (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Checkpoint every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR|auto",
            description = "Continue from a checkpoint directory, or 'auto' for the newest one in <out> that verifies (none: start).")
    String resume;

    @Option(names = "--overwrite", description = "Remove the outputs of an earlier run in <out> first (without it or --resume, such an <out> is refused).")
    boolean overwrite;

    @Option(names = "--quiet", description = "Log every step instead of about twenty lines per run.")
    boolean quiet;

    /**
     * What a post-training command starts from: the base model's config, the sequence length ({@code --seq}, else the
     * model's training length) and the trainer options; the optimizer options are checked before anything is read.
     */
    record Start(TeleChat2Config cfg, int seq, PostTrainOptions options) {
    }

    /** Checks the options, reads {@code --model}'s config.json and fixes the sequence length. */
    Start start() throws IOException {
        optim.check(); // before anything is read
        var cfg = TeleChat2Config.read(model.resolve("config.json"));
        int seqLen = seq != null ? seq : cfg.trainingSeqlen();
        return new Start(cfg, seqLen, options(seqLen));
    }

    /** Checked before anything is loaded or locked. */
    PostTrainOptions options(int seqLen) {
        if (data.isEmpty()) throw new IllegalArgumentException("give training data with --data FILE");
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (seqLen < 2) throw new IllegalArgumentException("--seq must be >= 2, got " + seqLen);
        if (overwrite && resume != null) throw new IllegalArgumentException("give either --resume or --overwrite, not both");
        optim.check();
        return new PostTrainOptions(optim.steps, optim.gradAccum, optim.lr, optim.minLr, optim.warmup, optim.schedule, optim.clip, optim.adam(),
                checkpointEvery, out, seed, batch, seqLen);
    }

    Path tokenizerDir() {
        return tokenizer != null ? tokenizer : model;
    }

    CpuDevice device() {
        return CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }

    RunDirectory lock() throws IOException {
        OutDirs.require("--out", out);
        RunDirectory.Start start = resume != null ? RunDirectory.Start.RESUME : overwrite ? RunDirectory.Start.OVERWRITE : RunDirectory.Start.FRESH;
        return RunDirectory.open(out, start, System.err::println);
    }

    /** With --resume: loads the checkpoint into {@code trainer} (auto: the newest that verifies; none yet: a fresh start). */
    void resume(PostTrainer trainer) throws IOException {
        if (resume == null) return;
        java.util.Optional<PostTrainer.Resumed> from = resume.equals("auto") ? trainer.resumeLatest(System.err::println)
                : java.util.Optional.of(trainer.resumeFrom(Path.of(resume)));
        if (from.isPresent()) {
            System.err.println("resumed from " + from.get().checkpoint() + " at step " + from.get().step() + " (verified)");
        } else {
            System.err.println("--resume auto: no checkpoint in " + out.resolve("checkpoints") + " yet, so starting at step 0");
        }
    }

    /** Prints step logs: every step with --quiet, else about twenty lines. */
    Consumer<PostTrainer.StepLog> progress() {
        long every = quiet ? 1 : Math.max(1, optim.steps / 20);
        return l -> {
            if (l.step() % every != 0 && l.step() != 1 && l.step() != optim.steps) return;
            StringBuilder sb = new StringBuilder(String.format("step %d  loss %.4f  lr %.2e  grad_norm %.3f  %.0f tok/s", l.step(), l.loss(), l.lr(), l.gradNorm(), l.tokensPerSecond()));
            l.metrics().forEach((k, v) -> sb.append(String.format("  %s %.4f", k, v)));
            System.err.println(sb);
        };
    }

    /** Writes a final output directory whole or not at all: into {@code <dir>.partial}, then renamed over {@code dir}. */
    static void writeDir(Path dir, wanka.align.train.PostTrainer.Saver content) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".partial");
        deleteTree(tmp);
        java.nio.file.Files.createDirectories(tmp);
        try {
            content.save(tmp);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        deleteTree(dir);
        java.nio.file.Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteTree(Path p) throws IOException {
        if (!java.nio.file.Files.exists(p)) return;
        try (var s = java.nio.file.Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(q);
        }
    }
}
