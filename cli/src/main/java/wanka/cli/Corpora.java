package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import wanka.curate.steps.TextToShard;
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

    /** Tokenizes a text file into {@code dataDir/<name>.tokens} (reused if already there and newer than the text). */
    static Path tokenizeText(Path text, Path tokenizerDir, Path dataDir, boolean quiet) throws IOException {
        if (!Files.isRegularFile(text)) throw new IOException("no such text file: " + text);
        Tokenizer tok = loadTokenizer(tokenizerDir);
        String name = text.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path shard = dataDir.resolve(name + ".tokens");
        if (Files.isRegularFile(shard) && Files.getLastModifiedTime(shard).compareTo(Files.getLastModifiedTime(text)) > 0) return shard;
        int eod = tok.specials().eos().orElseThrow(() -> new IOException(tokenizerDir + ": the tokenizer defines no end-of-text token to separate documents"));
        long size = Files.size(text);
        try (ProgressBar bar = quiet || System.console() == null ? null : new ProgressBarBuilder().setTaskName("tokenize").setInitialMax(size).setUnit(" MB", 1_000_000)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
            long docs = TextToShard.convert(text, tok, eod, shard, false, chars -> {
                if (bar != null) bar.stepTo(Math.min(size, chars));
            });
            if (bar != null) bar.stepTo(size);
            if (bar == null) System.err.println("tokenized " + docs + " documents into " + shard);
        }
        return shard;
    }

    /** Copies tokenizer files (atomically) next to a model so the model directory is self-contained. */
    static void copyTokenizer(Path tokenizerDir, Path modelDir) throws IOException {
        for (String f : new String[]{"tokenizer.json", "tokenizer.model", "tokenizer_config.json"}) {
            Path src = tokenizerDir.resolve(f);
            if (Files.isRegularFile(src)) AtomicFiles.write(modelDir.resolve(f), Files.readAllBytes(src));
        }
    }
}
