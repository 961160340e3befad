package wanka.curate.steps;

import wanka.data.TokenShardWriter;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Tokenizes documents and packs them into token shards per domain, {@code <dir>/<domain>/task-NNNNN.tokens}
 * (domain {@code default} when untagged), in the format {@code wanka pretrain} reads. Passes documents on.
 */
public final class TokenizeWriter implements Step {
    private final Tokenizer tokenizer;
    private final int endOfDocument;
    private final Path dir;
    private final int task;
    private final Map<String, TokenShardWriter> writers = new HashMap<>();

    public TokenizeWriter(Tokenizer tokenizer, Path dir, int task) {
        this.tokenizer = tokenizer;
        this.endOfDocument = tokenizer.specials().eos().orElseThrow(() -> new IllegalArgumentException("tokenize: the tokenizer has no end-of-text token"));
        this.dir = dir;
        this.task = task;
    }

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) throws IOException {
        String domain = doc.domain().isEmpty() ? "default" : doc.domain().replaceAll("[^A-Za-z0-9_.-]", "_");
        TokenShardWriter w = writers.get(domain);
        if (w == null) {
            w = new TokenShardWriter(dir.resolve(domain).resolve(String.format("task-%05d.tokens", task)), tokenizer.vocabSize(), endOfDocument);
            writers.put(domain, w);
        }
        int[] ids = tokenizer.encode(doc.text());
        w.addDocument(ids);
        ctx.count("tokens", ids.length + 1L);
        return doc;
    }

    @Override
    public void finish(StepContext ctx) throws IOException {
        for (TokenShardWriter w : writers.values()) w.close();
        writers.clear();
    }

    @Override
    public void close() throws IOException {
        for (TokenShardWriter w : writers.values()) w.abort();
    }
}
