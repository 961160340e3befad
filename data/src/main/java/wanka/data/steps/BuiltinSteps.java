package wanka.data.steps;

import wanka.data.pipeline.StepRegistry;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** The step types wanka ships, by config name. */
public final class BuiltinSteps {
    private BuiltinSteps() {
    }

    public static StepRegistry registry() {
        ConcurrentHashMap<String, Tokenizer> tokenizers = new ConcurrentHashMap<>(); // one per run, shared by tasks
        StepRegistry r = new StepRegistry();
        wanka.data.clean.CleaningSteps.register(r);
        wanka.data.dedup.DedupSteps.register(r);
        return r
                .register("length_filter", f -> new LengthFilter(f.options().integer("min_chars", 1), f.options().integer("max_chars", Integer.MAX_VALUE)))
                .register("jsonl_writer", f -> new JsonlWriter(f.layout().output().resolve(f.options().string("name", "documents")), f.task()))
                .register("tokenize", f -> {
                    String path = f.options().string("tokenizer", null);
                    if (path == null) throw new IllegalArgumentException("step 'tokenize': option 'tokenizer' (a tokenizer directory) is required");
                    Tokenizer tok = tokenizers.computeIfAbsent(path, p -> {
                        try {
                            return Tokenizers.load(Path.of(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    return new TokenizeWriter(tok, f.layout().output().resolve(f.options().string("name", "tokens")), f.task());
                });
    }
}
