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

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
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

    @Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Encode text into token ids (comma-separated) or pieces (space-separated), one output line per input line, as spm_encode does.",
                    "Give the text as an argument, or stream a file (or standard input) line by line with --input."},
            footer = {"", "Examples:",
                    "  wanka tokenizer encode --tokenizer tok/ 'TeleChat2 训练于 2024 年'",
                    "  wanka tokenizer encode --tokenizer tok/ --input corpus.txt --output corpus.ids",
                    "  cat corpus.txt | wanka tokenizer encode --tokenizer tok/ --input - --pieces"})
    static final class Encode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "Tokenizer directory or file.")
        Path dir;

        @Parameters(arity = "0..1", paramLabel = "TEXT", description = "Text to encode (one output line).")
        String text;

        @Option(names = "--input", paramLabel = "FILE", description = "UTF-8 text to encode line by line; - reads standard input.")
        String input;

        @Option(names = "--output", paramLabel = "FILE", description = "Write here instead of standard output.")
        Path output;

        @Option(names = "--pieces", description = "Print the pieces instead of the ids.")
        boolean pieces;

        @Override
        public Integer call() throws IOException {
            if (text == null && input == null) throw new IllegalArgumentException("nothing to encode: give TEXT or --input FILE (- for standard input)");
            if (text != null && input != null) throw new IllegalArgumentException("give TEXT or --input FILE, not both");
            if (output != null && Files.isDirectory(output)) throw new IllegalArgumentException("--output " + output + " is a directory; name a file");
            Tokenizer tok = Corpora.loadTokenizer(dir);
            boolean stdin = "-".equals(input);
            try (Utf8Lines in = input == null ? null : new Utf8Lines(stdin ? nonClosing(System.in) : Files.newInputStream(Path.of(input)), stdin ? "standard input" : input);
                 Writer out = new BufferedWriter(new OutputStreamWriter(output != null ? Files.newOutputStream(output) : nonClosing(System.out), StandardCharsets.UTF_8))) {
                if (in == null) {
                    encodeLine(tok, text, out);
                } else {
                    for (String line; (line = in.next()) != null; ) {
                        encodeLine(tok, line, out);
                        if (stdin) out.flush(); // a pipe or a terminal sees each line's ids as soon as the line is in
                    }
                }
            }
            return 0;
        }

        private void encodeLine(Tokenizer tok, String line, Writer out) throws IOException {
            int[] ids = tok.encode(line);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) out.write(pieces ? ' ' : ',');
                out.write(pieces ? tok.piece(ids[i]) : Integer.toString(ids[i]));
            }
            out.write('\n');
        }

        private static java.io.OutputStream nonClosing(java.io.OutputStream s) {
            return new java.io.FilterOutputStream(s) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        private static java.io.InputStream nonClosing(java.io.InputStream s) {
            return new java.io.FilterInputStream(s) {
                @Override
                public void close() {
                }
            };
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
