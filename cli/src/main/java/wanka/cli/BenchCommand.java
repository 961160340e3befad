package wanka.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;
import wanka.bench.clean.CleaningBench;
import wanka.bench.clean.LanguageIdBench;
import wanka.bench.dedup.DedupBench;
import wanka.bench.mix.MixingExperiment;
import wanka.bench.model.DecodeBench;
import wanka.bench.parse.ParserEval;
import wanka.bench.tensor.AttentionBench;
import wanka.bench.tensor.FmaPeak;
import wanka.bench.tensor.GemmBench;
import wanka.bench.train.TrainBench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks, one JSON line per measurement; compare each with its peer in the same run.",
                "scripts/bench.sh runs ours beside OpenBLAS, PyTorch and SentencePiece and prints both (see BENCHMARKS.md)."},
        subcommands = {BenchCommand.AlignBench_.class, BenchCommand.GemmBench_.class, BenchCommand.FmaBench_.class, BenchCommand.PoolBench_.class, BenchCommand.AttentionBench_.class, BenchCommand.TrainBench_.class, BenchCommand.TokenizerBench_.class,
                BenchCommand.Decode.class, BenchCommand.Parser.class, BenchCommand.Dedup.class, BenchCommand.Cleaning.class,
                BenchCommand.LangId.class, BenchCommand.Mixing.class, BenchCommand.Parallel.class, BenchCommand.PlanBench_.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = {"FP32 GEMM GFLOP/s on the `small` config's training shapes (forward NT, backward NN and TN) and squares.",
                    "Peers (OpenBLAS, BLIS on the same calls, both ISAs, 1 and 2 threads): scripts/bench.sh gemm."})
    static final class GemmBench_ implements Callable<Integer> {
        @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions per shape; best is reported (default: ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--shape", paramLabel = "OP,M,N,K", description = "Only these calls (repeatable; OP is NN, NT or TN; default: the `small` training shapes and squares).")
        List<String> shapes = new ArrayList<>();

        @Override
        public Integer call() {
            List<GemmBench.Shape> list = new ArrayList<>();
            for (String s : shapes) {
                String[] f = s.split(",");
                if (f.length != 4) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--shape wants OP,M,N,K, got " + s);
                list.add(new GemmBench.Shape(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
            }
            System.out.println(GemmBench.header());
            GemmBench.run(threads, reps, list.isEmpty() ? GemmBench.smallModelShapes() : list, r -> System.out.println(r.json()));
            return 0;
        }

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
    }

    @Command(name = "fma", mixinStandardHelpOptions = true,
            description = {"The FMA rate one core gives Java now: 12 independent FMA chains on the preferred float vectors (GFLOP/s, best batch).",
                    "Pinned to one core it tells whether that core is slowed by a neighbour: "
                            + "WANKA_JAVA_OPTS=-XX:-BackgroundCompilation taskset -c 1 bin/wanka bench fma (the flag: the pinned compiler would share the core). "
                            + "scripts/bench.sh prints it for every core around its GEMM rounds; WANKA_JAVA_OPTS=-XX:UseAVX=2 gives 8 lanes."})
    static final class FmaBench_ implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "0.5", description = "Measuring time, after a warm-up as long (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Override
        public Integer call() {
            System.out.println(FmaPeak.measure(seconds).json());
            return 0;
        }
    }

    @Command(name = "pool", mixinStandardHelpOptions = true,
            description = {"What a parallel region costs beyond its work: wanka's CpuPool beside a ForkJoinPool driven the same way (median, p90 and p99 "
                    + "microseconds per region over its work, one JSON line per pool and setting).",
                    "Every thread's range busy-waits --work-us; between regions the caller busy-waits --gap-us. Two such processes side by side on "
                            + "a 2-core machine show what spinning costs a neighbour."},
            footer = {"", "Options: " + wanka.bench.tensor.PoolBench.OPTIONS})
    static final class PoolBench_ extends Passthrough {
        void run(String[] a) {
            wanka.bench.tensor.PoolBench.main(a);
        }
    }

    /** A benchmark whose options are parsed by its own class; everything after the subcommand name is passed on. */
    abstract static class Passthrough implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        abstract void run(String[] args) throws Exception;

        @Override
        public Integer call() throws Exception {
            run(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "attention", mixinStandardHelpOptions = true, description = "Causal GQA flash-attention forward/backward GFLOP/s on the tiny and small configs.",
            footer = {"", "Options: [--threads N]"})
    static final class AttentionBench_ extends Passthrough {
        void run(String[] a) {
            AttentionBench.main(a);
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Generation tokens/s with the KV cache, F32 and BF16 weights, one sequence at a time.",
            footer = {"", "Options: [--preset small] [--threads N] [--tokens 64] [--prompt 16] [--reps 3]"})
    static final class Decode extends Passthrough {
        void run(String[] a) throws Exception {
            DecodeBench.main(a);
        }
    }

    @Command(name = "parser", mixinStandardHelpOptions = true,
            description = "Judges the PDF parser against the LaTeX/Sweave sources of the same documents (bigram recall/precision, tables, math).",
            footer = {"", "Arguments: [--dump DIR] FILE.pdf SRC[,SRC...] [FILE.pdf SRC[,SRC...]]...  (a SRC is a .tex, .Rnw or a folder of them)"})
    static final class Parser extends Passthrough {
        void run(String[] a) throws Exception {
            ParserEval.main(a);
        }
    }

    @Command(name = "dedup", mixinStandardHelpOptions = true,
            description = "MinHash near-duplicate removal on a corpus with planted, known duplicates: recall and precision per setting and per transformation, docs/s.",
            footer = {"", "Options: [--config NAME:[words:|chars:]N[/CJK]:BANDS:ROWS]... [--tasks N] [--threads N] [--zh FILE|none] [--work DIR] [--save-corpus FILE]"})
    static final class Dedup extends Passthrough {
        void run(String[] a) throws Exception {
            DedupBench.main(a);
        }
    }

    @Command(name = "cleaning", mixinStandardHelpOptions = true, description = "Throughput of each cleaning step on Europarl (MB/s per core).",
            footer = {"", "Options: [--limit N] [--repeat R] [--low-accuracy]"})
    static final class Cleaning extends Passthrough {
        void run(String[] a) throws Exception {
            CleaningBench.main(a);
        }
    }

    @Command(name = "langid", mixinStandardHelpOptions = true,
            description = "Language identification accuracy and MB/s of fastText lid.176 (and Lingua) on labelled lines; --dump writes the lines for the peers.",
            footer = {"", "Options: [--limit N] [--model lid176,lingua] [--repeat R] [--max-chars N] [--dump FILE]", "Peer: scripts/bench.sh langid (fastText's C++)."})
    static final class LangId extends Passthrough {
        void run(String[] a) throws Exception {
            LanguageIdBench.main(a);
        }
    }

    @Command(name = "parallel", mixinStandardHelpOptions = true,
            description = "Parallel pre-training on this machine: tokens/s of dp2, tp2, pp2 and multi-replica vs one process, bytes per step vs the formulas, "
                    + "exposed communication removed by bucketing and replicas, dp2 under mpirun and Open MPI's all-reduce vs a C MPI_Allreduce loop.",
            footer = {"", "Options: [--config small] [--steps 4] [--seq 512] [--batch 4] [--allreduce-floats 4194304] [--skip-mpi] [--target-only]"})
    static final class Parallel extends Passthrough {
        void run(String[] a) throws Exception {
            wanka.bench.parallel.ParallelBench.main(a);
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "The DryRun against wanka's own runs: calibrate this CPU, plan 8+ layouts of a small preset (dp, tp, pp, ZeRO-1, recompute), run them "
                    + "in-process (warm-up steps, then the median of the measured steps, in a JVM with a fixed heap) and print predicted vs measured step time and "
                    + "peak memory per rank with the 15 %% / 5 %% verdicts and the load average, then one JSON line per layout with every step's time.",
            footer = {"", "Options: " + wanka.bench.plan.PlanBench.OPTIONS})
    static final class PlanBench_ extends Passthrough {
        void run(String[] a) throws Exception {
            wanka.bench.plan.PlanBench.main(a);
        }
    }

    @Command(name = "mixing", mixinStandardHelpOptions = true,
            description = "Online domain mixing experiment: uniform, proportional and ODM mixtures trained side by side; validation loss per domain, over seeds.",
            footer = {"", "Options: [--out DIR] [--steps N] [--seeds 1,2,3] [--mixings uniform,proportional,odm,odm-exp] [--threads N] [--fortunes DIR]"})
    static final class Mixing extends Passthrough {
        void run(String[] a) throws Exception {
            MixingExperiment.main(a);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training tokens/s and model GFLOP/s on the peers' shapes (tiny: batch 8 × 256, small: 4 × 512). Peers: shared/bench/torch_telechat.py, shared/bench/djl-bench.")
    static final class TrainBench_ implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "tiny,small", split = ",", description = "Configs (default: ${DEFAULT-VALUE}).")
        List<String> configs;

        @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--steps", defaultValue = "6", description = "Steps; the first is warm-up, the median of the rest is reported (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--verbose", description = "Print every step's time to stderr.")
        boolean verbose;

        @Override
        public Integer call() {
            for (String c : configs) {
                TrainBench.Result r = TrainBench.run(c, threads, Math.max(2, steps), line -> {
                    if (verbose) System.err.println(line);
                });
                System.out.println(json(r));
            }
            return 0;
        }
    }

    @Command(name = "align", mixinStandardHelpOptions = true,
            description = {"Post-training throughput beside its peers in one run: SFT (padded and packed rows) vs pre-training tokens/s on the same",
                    "model and batch x seq; LoRA rank 8 vs full fine-tuning (step time, peak device bytes, AdamW moments); West-of-N",
                    "sampling batched vs one sequence at a time (nano preset, random weights)."})
    static final class AlignBench_ implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "tiny", description = "Model preset (default: ${DEFAULT-VALUE}).")
        String config;

        @Option(names = "--batch", defaultValue = "8", description = "Rows per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "256", description = "Tokens per row (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--steps", defaultValue = "3", description = "Steps per run; each run's first is not counted (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each running every variant in turn after an uncounted warm-up round (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--wn-prompts", defaultValue = "6", description = "West-of-N prompts; 0 = skip (default: ${DEFAULT-VALUE}).")
        int wnPrompts;

        @Option(names = "--wn-n", defaultValue = "12", description = "West-of-N responses per prompt (default: ${DEFAULT-VALUE}).")
        int wnN;

        @Option(names = "--wn-tokens", defaultValue = "48", description = "West-of-N new tokens per response (default: ${DEFAULT-VALUE}).")
        int wnTokens;

        @Option(names = "--verbose", description = "Print every step to stderr.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            System.out.printf(java.util.Locale.ROOT, "# wanka bench align, %s; CPU %s, %d cores; ISA %s; JVM vector width %d bits; %s; load average %.2f at start%n",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), wanka.bench.parallel.ParallelBench.cpuModel(),
                    Runtime.getRuntime().availableProcessors(), wanka.bench.parallel.ParallelBench.isa(), jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                    Runtime.version(), wanka.bench.parallel.ParallelBench.load());
            var r = wanka.bench.align.AlignBench.run(config, batch, seq, threads, Math.max(2, steps), Math.max(1, rounds), wnPrompts, wnN, wnTokens, line -> {
                if (verbose) System.err.println(line);
            });
            System.out.print(wanka.bench.align.AlignBench.table(r));
            System.out.printf(java.util.Locale.ROOT, "# load average %.2f at end%n", wanka.bench.parallel.ParallelBench.load());
            return 0;
        }
    }

    @Command(name = "tokenizer", mixinStandardHelpOptions = true,
            description = {"Train a 32k BPE on a corpus, then measure single-thread encoding MB/s and tokens/s. Peer: shared/bench/peer_sentencepiece.py.",
})
    static final class TokenizerBench_ implements Callable<Integer> {
        @Parameters(paramLabel = "CORPUS", description = "A UTF-8 text corpus, one document per line.")
        String corpus;

        @Option(names = "--vocab", defaultValue = "32000", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
        int vocab;

        @Option(names = "--threads", defaultValue = "2", description = "Training threads; encoding is measured on one (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--family", defaultValue = "sentencepiece", description = "sentencepiece or bytelevel (default: ${DEFAULT-VALUE}).")
        String family;

        @Option(names = "--out", paramLabel = "PREFIX", description = "Write the trained model to PREFIX.model.")
        String out;

        @Override
        public Integer call() throws Exception {
            wanka.bench.tokenizer.TokenizerBench.run(java.nio.file.Path.of(corpus), vocab, threads, family, out, System.out);
            return 0;
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
