package wanka.train.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The JSON-lines logs of a parallel run ({@code metrics.jsonl}, {@code ranks/rank-NNNNN.jsonl}) across a resume: the
 * lines of steps after the checkpoint are dropped (they are trained again), the rest kept, and new lines appended.
 */
final class StepLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StepLines() {
    }

    /** Keeps only the lines whose {@code step} is at most {@code lastStep}; a fresh run (0) empties the file. */
    static void keepUpTo(Path file, long lastStep) throws IOException {
        if (!Files.isRegularFile(file)) return;
        List<String> lines = Files.readAllLines(file);
        List<String> kept = lines.stream().filter(l -> {
            try {
                JsonNode n = JSON.readTree(l);
                return n != null && n.has("step") && n.get("step").asLong() <= lastStep;
            } catch (IOException e) {
                return false; // a line cut short by a crash
            }
        }).toList();
        if (kept.size() != lines.size()) Files.write(file, kept);
    }

    static BufferedWriter append(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
