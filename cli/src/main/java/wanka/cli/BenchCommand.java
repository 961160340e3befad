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
import wanka.bench.tensor.GemmBench;
import wanka.bench.train.TrainBench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks, one JSON line per measurement; compare each with its peer in the same run.",
                "scripts/bench.sh runs ours beside OpenBLAS, PyTorch and SentencePiece and prints both (see BENCHMARKS.md)."},
        subcommands = {BenchCommand.GemmBench_.class, BenchCommand.AttentionBench_.class, BenchCommand.TrainBench_.class, BenchCommand.TokenizerBench_.class,
                BenchCommand.Decode.class, BenchCommand.Parser.class, BenchCommand.Dedup.class, BenchCommand.Cleaning.class,
                BenchCommand.LangId.class, BenchCommand.Mixing.class, BenchCommand.Parallel.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "FP32 GEMM GFLOP/s on the `small` config's training shapes (forward NT, backward NN and TN) and squares. Peer: shared/bench/peer_sgemm.py (OpenBLAS).")
    static final class GemmBench_ implements Callable<Integer> {
        @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions per shape; best is reported (default: ${DEFAULT-VALUE}).")
        int reps;

        @Override
        public Integer call() {
            GemmBench.run(threads, reps, GemmBench.smallModelShapes(), r -> System.out.println(json(r)));
            return 0;
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
