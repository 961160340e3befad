package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.tokenizer.SpecialTokens;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.Tokenizers;
import wanka.tokenizer.bytelevel.ByteLevelBpe;
import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.hf.TokenizerJson;
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
import java.util.OptionalInt;
import java.util.concurrent.Callable;

@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train and try BPE tokenizers (SentencePiece-style like TeleChat2's, or byte-level like GPT-2/Qwen).",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a BPE tokenizer on text files (one document per line) and write tokenizer.json (+ tokenizer.model for the sentencepiece kind).",
                    "The sentencepiece kind uses TeleChat2's layout: ids 0-133 are its special tokens (<_unk>, <_start>, <_end>, <_pad>, <_user>, <_bot>, <_system>, ...), then 256 byte pieces, then merges."})
    static final class Train implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Training text file(s).")
        List<Path> inputs;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--vocab", defaultValue = "32000", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
        int vocab;

        @Option(names = "--kind", defaultValue = "sentencepiece", description = "sentencepiece (TeleChat2 style: ▁, byte fallback, split digits) or bytelevel (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--threads", description = "Threads (default: all cores).")
        Integer threads;

        @Override
        public Integer call() throws IOException {
            OutDirs.require("--out", out);
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            Tokenizer tok = TokenizerTraining.train(inputs, kind, vocab, t, out);
            System.err.printf("trained a %s tokenizer with %d tokens into %s%n", kind, tok.vocabSize(), out);
            return 0;
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Print the token ids (and pieces) of a text.")
    static final class Encode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "Tokenizer directory or file.")
        Path dir;

        @Parameters(paramLabel = "TEXT", description = "Text to encode.")
        String text;

        @Option(names = "--pieces", description = "Also print the pieces.")
        boolean pieces;

        @Override
        public Integer call() throws IOException {
            Tokenizer tok = Corpora.loadTokenizer(dir);
            int[] ids = tok.encode(text);
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.println(String.join(",", java.util.Arrays.stream(ids).mapToObj(Integer::toString).toList()));
            if (pieces) out.println(String.join(" ", java.util.Arrays.stream(ids).mapToObj(tok::piece).toList()));
            return 0;
        }
    }

    /** Training shared by the command and the quickstart. */
    static final class TokenizerTraining {
        private TokenizerTraining() {
        }

        static Tokenizer train(List<Path> inputs, String kind, int vocab, int threads, Path out) throws IOException {
            List<String> lines = new java.util.ArrayList<>();
            for (Path p : inputs) {
                if (!Files.isRegularFile(p)) throw new IOException("no such text file: " + p);
                try (Utf8Lines in = new Utf8Lines(Files.newInputStream(p), p.toString())) {
                    for (String l; (l = in.next()) != null; ) if (!l.isBlank()) lines.add(l);
                }
            }
            if (lines.isEmpty()) throw new IOException("the training text is empty: " + inputs);
            Files.createDirectories(out);
            return switch (kind) {
                case "sentencepiece" -> {
                    SentencePieceModel m = BpeTrainer.trainSentencePiece(lines, TrainerOptions.SentencePiece.telechat2(vocab, threads));
                    m.write(out.resolve("tokenizer.model"));
                    SentencePieceBpe tok = new SentencePieceBpe(m);
                    TokenizerJson.write(tok, out.resolve("tokenizer.json"));
                    Tokenizers.writeConfig(tok, out.resolve(Tokenizers.CONFIG_FILE));
                    yield tok;
                }
                case "bytelevel" -> {
                    ByteLevelBpe trained = BpeTrainer.trainByteLevel(lines, new TrainerOptions.ByteLevel(vocab,
                            List.of("<|endoftext|>", "<_user>", "<_bot>", "<_system>", "<_end>"), PreTokenizerPattern.QWEN2, 16, threads));
                    SpecialTokens s = trained.specials();
                    Tokenizer tok = trained.withSpecials(new SpecialTokens(s.tokens(), OptionalInt.empty(), trained.id("<|endoftext|>"),
                            trained.id("<|endoftext|>"), OptionalInt.empty(), s.matchInText()));
                    TokenizerJson.write(tok, out.resolve("tokenizer.json"));
                    Tokenizers.writeConfig(tok, out.resolve(Tokenizers.CONFIG_FILE));
                    yield tok;
                }
                default -> throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "' (sentencepiece or bytelevel)");
            };
        }
    }
}
