package wanka.align.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An output JSONL file written one line per item, each with an {@code "index"}, appended and flushed as items finish,
 * so that a stopped run resumes where it was: {@link #done} cuts a torn (unterminated) last line and returns the lines
 * already written by index.
 */
public final class ResumableJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumableJsonl() {
    }

    /** The lines of {@code file} by index, after cutting a torn last line; empty when the file does not exist. */
    public static Map<Long, JsonNode> done(Path file) throws IOException {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) return out;
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') end--;
        if (end < bytes.length) {
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.truncate(end);
            }
        }
        long n = 0;
        for (String l : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
            n++;
            if (l.isBlank()) continue;
            JsonNode node = JSON.readTree(l);
            if (node == null || !node.has("index")) throw new IOException(file + ":" + n + ": a line without \"index\"; this file was not written by this step, so it cannot be resumed");
            out.put(node.get("index").asLong(), node);
        }
        return out;
    }
}
