package wanka.curate.steps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.TestContexts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class JsonlWriterTest {
    @TempDir
    Path dir;

    @Test
    void theFileAppearsOnFinishWithSortedMetadataAndNoTemporaryFile() throws IOException {
        StepContext ctx = TestContexts.context();
        try (JsonlWriter w = new JsonlWriter(dir, 3)) {
            w.apply(new Document("a", "x", Map.of("z", "1", "b", "2")), ctx);
            assertThat(dir.resolve("task-00003.jsonl")).doesNotExist();
            w.finish(ctx);
        }
        assertThat(Files.readString(dir.resolve("task-00003.jsonl")))
                .isEqualTo("{\"id\":\"a\",\"text\":\"x\",\"metadata\":{\"b\":\"2\",\"z\":\"1\"}}\n");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("task-00003.jsonl"));
        }
    }

    @Test
    void aTaskThatFailsHalfwayLeavesTheEarlierOutputIntact() throws IOException {
        StepContext ctx = TestContexts.context();
        try (JsonlWriter w = new JsonlWriter(dir, 0)) {
            w.apply(new Document("old", "earlier run"), ctx);
            w.finish(ctx);
        }
        byte[] before = Files.readAllBytes(dir.resolve("task-00000.jsonl"));
        try (JsonlWriter w = new JsonlWriter(dir, 0)) {
            for (int i = 0; i < 5000; i++) w.apply(new Document("new-" + i, "a rerun that crashes before finish"), ctx);
        } // closed without finish, as the executor does when a later step throws
        assertThat(Files.readAllBytes(dir.resolve("task-00000.jsonl"))).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("task-00000.jsonl"));
        }
    }
}
