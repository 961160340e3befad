package wanka.curate.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes documents as JSON Lines ({@code id}, {@code text}, {@code metadata}) to {@code <output>/<name>/task-NNNNN.jsonl};
 * the file appears under its final name only when the task finishes. Passes documents on unchanged.
 */
public final class JsonlWriter implements Step {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path target, temp;
    private BufferedWriter out;

    public JsonlWriter(Path dir, int task) {
        this.target = dir.resolve(String.format("task-%05d.jsonl", task));
        this.temp = dir.resolve(String.format("task-%05d.jsonl.partial", task));
    }

    @Override
    public String name() {
        return "jsonl_writer";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) throws IOException {
        if (out == null) {
            Files.createDirectories(temp.getParent());
            out = Files.newBufferedWriter(temp);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", doc.id());
        m.put("text", doc.text());
        m.put("metadata", new java.util.TreeMap<>(doc.metadata())); // sorted keys: the same bytes on every machine
        out.write(JSON.writeValueAsString(m));
        out.newLine();
        return doc;
    }

    @Override
    public void finish(StepContext ctx) throws IOException {
        if (out == null) {
            Files.createDirectories(temp.getParent());
            out = Files.newBufferedWriter(temp);
        }
        out.close();
        out = null;
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
        Files.deleteIfExists(temp);
    }
}
