package wanka.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.tensor.bench.AttentionBench;
import wanka.tensor.bench.GemmBench;
import wanka.train.bench.TrainBench;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks, one JSON line per measurement; compare each with its peer in the same run.",
                "scripts/bench.sh runs ours beside OpenBLAS, PyTorch and SentencePiece and prints both (see BENCHMARKS.md)."},
        subcommands = {BenchCommand.GemmBench_.class, BenchCommand.AttentionBench_.class, BenchCommand.TrainBench_.class, BenchCommand.TokenizerBench_.class})
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

    @Command(name = "attention", mixinStandardHelpOptions = true, description = "Causal GQA flash-attention forward/backward GFLOP/s on the tiny and small configs.")
    static final class AttentionBench_ implements Callable<Integer> {
        @Parameters(arity = "0..*", description = "Arguments passed to the attention bench (e.g. --threads 2).")
        List<String> args = List.of();

        @Override
        public Integer call() {
            AttentionBench.main(args.toArray(String[]::new));
            return 0;
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
            wanka.tokenizer.bench.TokenizerBench.run(java.nio.file.Path.of(corpus), vocab, threads, family, out, System.out);
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
