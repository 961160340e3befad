package wanka.align.sft;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A dataset line set aside instead of trained on: where it is and why.
 *
 * @param file   the dataset file
 * @param line   1-based line number
 * @param reason what is wrong, in one line
 */
public record Quarantined(Path file, long line, String reason) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + reason;
    }

    /** Writes lines as JSONL ({@code file}, {@code line}, {@code reason}) in one atomic write. */
    public static void write(List<Quarantined> lines, Path out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (Quarantined q : lines) {
            ObjectNode n = json.createObjectNode();
            n.put("file", q.file().toString());
            n.put("line", q.line());
            n.put("reason", q.reason());
            sb.append(json.writeValueAsString(n)).append('\n');
        }
        AtomicFiles.write(out, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
