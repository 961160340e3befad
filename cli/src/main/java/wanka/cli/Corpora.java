package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import wanka.curate.steps.TextShard;
import wanka.curate.corpus.CacheDir;
import wanka.io.AtomicFiles;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where corpora and tokenizers live, and turning text into token shards. */
final class Corpora {
    private Corpora() {
    }

    /** The git-ignored cache: {@code <wanka home>/.wanka} when run from a checkout, else {@code ~/.cache/wanka}. */
    static Path cacheDir() {
        return CacheDir.get();
    }

    static Tokenizer loadTokenizer(Path dir) throws IOException {
        return Tokenizers.load(dir);
    }

    /** TeleChat2's chat template over {@code tok}, loaded from {@code dir}; a tokenizer without the chat tokens is an error naming {@code dir}. */
    static wanka.tokenizer.ChatTemplate chatTemplate(Tokenizer tok, Path dir) {
        try {
            return wanka.align.sft.SftDataset.template(tok);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage() + " (give one with --tokenizer DIR)", e);
        }
    }

    /**
     * Tokenizes a text file (one document per non-blank line) through the data pipeline into a shard under
     * {@code dataDir/<name>/} (reused if already there and newer than the text); unreadable lines are quarantined.
     */
    static Path tokenizeText(Path text, Path tokenizerDir, Path dataDir, boolean quiet) throws IOException {
        if (!Files.isRegularFile(text)) throw new IOException("no such text file: " + text);
        String name = text.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        long size = Files.size(text);
        TextShard.Result r;
        try (ProgressBar bar = quiet || System.console() == null ? null : new ProgressBarBuilder().setTaskName("tokenize").setInitialMax(size).setUnit(" MB", 1_000_000)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
            r = TextShard.tokenize(text, tokenizerDir, dataDir.resolve(name), bytes -> {
                if (bar != null) bar.stepTo(Math.min(size, bytes));
            });
            if (bar != null) bar.stepTo(size);
        }
        if (!quiet) System.err.println("tokenized " + r.documents() + " documents into " + r.shard());
        if (r.quarantined() > 0) {
            System.err.println("warning: " + r.quarantined() + " line(s) of " + text + " could not be read (invalid UTF-8 or too long) and were skipped; see " + r.quarantineFile());
        }
        return r.shard();
    }

    /** Copies tokenizer files (atomically) next to a model so the model directory is self-contained. */
    static void copyTokenizer(Path tokenizerDir, Path modelDir) throws IOException {
        for (String f : new String[]{"tokenizer.json", "tokenizer.model", "tokenizer_config.json"}) {
            Path src = tokenizerDir.resolve(f);
            if (Files.isRegularFile(src)) AtomicFiles.write(modelDir.resolve(f), Files.readAllBytes(src));
        }
    }
}
