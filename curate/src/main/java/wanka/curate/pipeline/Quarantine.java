package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where documents that a step could not process go, with the reason: one JSONL file per task, so nothing
 * is lost and the run continues. Opened lazily: a task without problems writes no file. An input file that is
 * damaged part way (a cut or corrupt .gz) is recorded here too, as a {@link Damage}: the documents read before
 * the damage go on through the steps, what was read of the damaged part is kept here with the reason.
 */
public final class Quarantine implements AutoCloseable {
    /**
     * An input file that could be read only up to {@code line} (1-based; the line where the damage was found), after
     * {@code documents} documents had been read from it.
     */
    public record Damage(String file, long line, long documents, String reason) {
        /** One sentence naming the file, the position and the reason. */
        public String describe() {
            return file + ": damaged at line " + line + (documents == 0 ? ", before any document: "
                    : ", after " + documents + " document" + (documents == 1 ? "" : "s") + " (those are kept): ") + reason;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<Damage> damaged = new ArrayList<>();
    private BufferedWriter out;
    private long count;

    public Quarantine(Path file) {
        this.file = file;
    }

    /** Records a document (or a raw input that could not become one) and why. */
    public void add(String id, String step, String reason, String text) throws IOException {
        write(id, step, reason, text);
        count++;
    }

    /** Records that an input file is damaged, with what was read of the damaged part (an incomplete line or paragraph). */
    public void damaged(Damage d, String partial) throws IOException {
        write(Path.of(d.file()).getFileName() + ":" + d.line(), "read", d.describe(), partial);
        damaged.add(d);
    }

    private void write(String id, String step, String reason, String text) throws IOException {
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
    }

    /** Documents (or raw records) quarantined, not counting the damage records. */
    public long count() {
        return count;
    }

    /** The damaged inputs recorded so far. */
    public List<Damage> damaged() {
        return List.copyOf(damaged);
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
