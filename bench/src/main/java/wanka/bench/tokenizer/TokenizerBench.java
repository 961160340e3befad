package wanka.bench.tokenizer;

import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.sp.SentencePieceModel;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tokenizer benchmark, the counterpart of {@code shared/bench/peer_sentencepiece.py}: trains a BPE on a corpus
 * (one sentence per line) and measures training seconds, then single-thread encoding MB/s and tokens/s, printing
 * JSON lines.
 *
 * <pre>TokenizerBench CORPUS.txt [--vocab 32000] [--threads 2] [--family sentencepiece|bytelevel] [--out PREFIX]</pre>
 */
public final class TokenizerBench {
    private TokenizerBench() { }

    /** Result of one run. */
    public record Result(String family, int vocab, int threads, double trainSeconds, double mbPerS, long tokensPerS,
                         long tokens, long bytes) { }

    /** Command-line entry point. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: TokenizerBench CORPUS.txt [--vocab 32000] [--threads 2] [--family sentencepiece|bytelevel] [--out PREFIX]");
            System.exit(2);
        }
        run(Path.of(args[0]), intArg(args, "--vocab", 32000), intArg(args, "--threads", 2), arg(args, "--family", "sentencepiece"),
                arg(args, "--out", null), System.out);
    }

    /**
     * Trains and measures; prints two JSON lines to {@code out}. With {@code outPrefix}, a SentencePiece model is
     * also written to {@code outPrefix.model} (for the peer's {@code bench} on the same model).
     */
    public static Result run(Path corpus, int vocab, int threads, String family, String outPrefix, PrintStream out) throws IOException {
        List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        long bytes = 0;
        for (String l : lines) bytes += l.getBytes(StandardCharsets.UTF_8).length;
        long t0 = System.nanoTime();
        Tokenizer tok;
        switch (family) {
            case "sentencepiece" -> {
                SentencePieceModel m = BpeTrainer.trainSentencePiece(lines, TrainerOptions.SentencePiece.peerStyle(vocab, threads));
                if (outPrefix != null) m.write(Path.of(outPrefix + ".model"));
                tok = new SentencePieceBpe(m);
            }
            case "bytelevel" -> tok = BpeTrainer.trainByteLevel(lines, new TrainerOptions.ByteLevel(vocab, List.of("<|endoftext|>"),
                    PreTokenizerPattern.QWEN2, 64, threads));
            default -> throw new IllegalArgumentException("--family must be sentencepiece or bytelevel, not " + family);
        }
        double train = (System.nanoTime() - t0) / 1e9;
        out.printf("{\"impl\": \"wanka-train\", \"family\": \"%s\", \"vocab\": %d, \"threads\": %d, \"seconds\": %.1f}%n", family, vocab, threads, train);
        for (String l : lines.subList(0, Math.min(1000, lines.size()))) tok.encode(l); // warm-up, like the peer
        long t1 = System.nanoTime();
        long tokens = 0;
        for (String l : lines) tokens += tok.encode(l).length;
        double dt = (System.nanoTime() - t1) / 1e9;
        Result r = new Result(family, vocab, threads, train, bytes / dt / 1e6, Math.round(tokens / dt), tokens, bytes);
        out.printf("{\"impl\": \"wanka-%s\", \"threads\": 1, \"mb_per_s\": %.2f, \"tokens_per_s\": %d, \"tokens\": %d, \"bytes\": %d}%n",
                family, r.mbPerS(), r.tokensPerS(), tokens, bytes);
        return r;
    }

    private static String arg(String[] a, String name, String def) {
        for (int i = 1; i + 1 < a.length; i++) if (a[i].equals(name)) return a[i + 1];
        return def;
    }

    private static int intArg(String[] a, String name, int def) {
        String v = arg(a, name, null);
        return v == null ? def : Integer.parseInt(v);
    }
}
