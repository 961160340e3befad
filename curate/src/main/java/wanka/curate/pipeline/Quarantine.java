package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where documents that a step could not process go, with the reason: one JSONL file per task, so nothing
 * is lost and the run continues. Opened lazily: a task without problems writes no file.
 */
public final class Quarantine implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private BufferedWriter out;
    private long count;

    public Quarantine(Path file) {
        this.file = file;
    }

    /** Records a document (or a raw input that could not become one) and why. */
    public void add(String id, String step, String reason, String text) throws IOException {
        if (out == null) {
            Files.createDirectories(file.getParent());
            out = Files.newBufferedWriter(file);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("step", step);
        m.put("reason", reason);
        m.put("text", text == null ? null : text.length() > 100_000 ? text.substring(0, 100_000) : text);
        out.write(JSON.writeValueAsString(m));
        out.newLine();
        count++;
    }

    public long count() {
        return count;
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
