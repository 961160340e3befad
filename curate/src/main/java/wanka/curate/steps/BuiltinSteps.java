package wanka.curate.steps;

import wanka.curate.pipeline.StepRegistry;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** The step types and readers wanka ships, by config name. */
public final class BuiltinSteps {
    private BuiltinSteps() {
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    public static StepRegistry registry() {
        ConcurrentHashMap<String, Tokenizer> tokenizers = new ConcurrentHashMap<>(); // one per run, shared by tasks
        StepRegistry r = new StepRegistry();
        wanka.curate.readers.BuiltinReaders.register(r);
        wanka.curate.clean.CleaningSteps.register(r);
        wanka.curate.dedup.DedupSteps.register(r);
        return r
                .register("domain_tag", "tag metadata.domain by rules on source and text (rules: [{domain, source, pattern}], default, override)", f -> {
                    java.util.List<DomainTagger.Rule> rules = new java.util.ArrayList<>();
                    Object raw = f.options().values().get("rules");
                    if (raw instanceof java.util.List<?> list) {
                        for (Object o : list) {
                            if (!(o instanceof java.util.Map<?, ?> m)) throw new IllegalArgumentException("step 'domain_tag': each rule must be a mapping, got " + o);
                            rules.add(DomainTagger.rule(str(m.get("domain")), str(m.get("source")), str(m.get("pattern"))));
                        }
                    } else if (raw != null) {
                        throw new IllegalArgumentException("step 'domain_tag': option 'rules' must be a list");
                    }
                    return new DomainTagger(rules, f.options().string("default", null), f.options().bool("override", false));
                })
                .register("perplexity", "keep documents whose perplexity under a wanka model is within [min, max] (model, tokenizer, window, max_tokens)", f -> {
                    Path modelPath = f.options().path("model", null);
                    if (modelPath == null) throw new IllegalArgumentException("step 'perplexity': option 'model' (an HF TeleChat2 directory) is required");
                    String model = modelPath.toString();
                    String tokPath = f.options().path("tokenizer", modelPath).toString();
                    Tokenizer tok = tokenizers.computeIfAbsent(tokPath, p -> {
                        try {
                            return Tokenizers.load(Path.of(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    try {
                        return new PerplexityFilter(Path.of(model), tok, f.options().number("min", 0), f.options().number("max", Double.MAX_VALUE),
                                f.options().integer("window", 0), f.options().integer("max_tokens", 4096));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .register("length_filter", "keep documents with min_chars ≤ length ≤ max_chars", f -> new LengthFilter(f.options().integer("min_chars", 1), f.options().integer("max_chars", Integer.MAX_VALUE)))
                .register("jsonl_writer", "write the surviving documents as JSONL under output/<name>/ (name: documents)", f -> new JsonlWriter(f.layout().output().resolve(f.options().string("name", "documents")), f.task()))
                .register("tokenize", "tokenize and pack into per-domain token shards for `wanka pretrain --data-dir` (tokenizer, name: tokens)", f -> {
                    Path tokPath = f.options().path("tokenizer", null);
                    String path = tokPath == null ? null : tokPath.toString();
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
