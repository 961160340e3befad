package wanka.curate.dedup;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Pipeline steps {@code minhash_filter} and {@code exact_filter}: in a second pass over the same inputs, drops the
 * documents whose ids are on the task's remove list ({@code <dir>/remove/task-NNNNN.bin}, written by
 * {@link MinHashClusters}) with reason {@code near_duplicate} or {@code exact_duplicate}. Matching by id keeps the
 * filter right even if earlier steps of the second pass drop other documents.
 */
public final class RemoveFilter implements Step {
    private final String name, reason;
    private final Set<String> remove = new HashSet<>();

    public RemoveFilter(String name, String reason, Path removeFile) throws IOException {
        this.name = name;
        this.reason = reason;
        if (!Files.isRegularFile(removeFile))
            throw new IOException("step '" + name + "': remove list " + removeFile + " is missing; run MinHashBuckets and MinHashClusters on the first pass's output first");
        IdList.read(removeFile, (id, index) -> remove.add(id));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        if (!remove.contains(doc.id())) return doc;
        ctx.drop(reason);
        return null;
    }
}
