package wanka.curate.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes documents as JSON Lines ({@code id}, {@code text}, {@code metadata}) to {@code <output>/<name>/task-NNNNN.jsonl};
 * the file appears under its final name only when the task finishes. Passes documents on unchanged.
 */
public final class JsonlWriter implements Step {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path target;
    private AtomicFiles.Output out;

    public JsonlWriter(Path dir, int task) {
        this.target = dir.resolve(String.format("task-%05d.jsonl", task));
    }

    @Override
    public String name() {
        return "jsonl_writer";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", doc.id());
        m.put("text", doc.text());
        m.put("metadata", new java.util.TreeMap<>(doc.metadata())); // sorted keys: the same bytes on every machine
        Writer w = output().writer();
        w.write(JSON.writeValueAsString(m));
        w.write('\n');
        return doc;
    }

    private AtomicFiles.Output output() throws IOException {
        if (out == null) out = AtomicFiles.open(target);
        return out;
    }

    /** Moves the file into place (an empty file when no document came). */
    @Override
    public void finish(StepContext ctx) throws IOException {
        output().commit();
        out = null;
    }

    /** Without {@link #finish}: drops the temporary file, leaving any earlier output as it was. */
    @Override
    public void close() throws IOException {
        if (out != null) out.close();
        out = null;
    }
}
