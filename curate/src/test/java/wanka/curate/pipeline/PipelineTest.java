package wanka.curate.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.steps.BuiltinSteps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineTest {

    static Path input(Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.jsonl"), """
                {"id": "a1", "text": "a long enough document about the council", "domain": "news"}
                {"id": "a2", "text": "short", "domain": "news"}
                this line is not json
                {"id": "a3", "text": "another long enough document, from the web"}
                """);
        byte[] bad = "{\"id\": \"b1\", \"text\": \"caf\u00e9 ok document text here\"}\n{\"id\": \"b2\", \"text\": \"broken \u0000"
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = new byte[]{(byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        byte[] all = new byte[bad.length + tail.length];
        System.arraycopy(bad, 0, all, 0, bad.length);
        System.arraycopy(tail, 0, all, bad.length, tail.length);
        Files.write(data.resolve("b.jsonl"), all);
        return data;
    }

    static Path config(Path dir, String steps) throws IOException {
        Path c = dir.resolve("pipeline.yaml");
        Files.writeString(c, """
                input:
                  reader: jsonl
                  paths: [data/*.jsonl]
                  domain: web
                steps:
                """ + steps);
        return c;
    }

    @Test
    void runsTasksQuarantinesBadRecordsReportsAndResumes(@TempDir Path dir) throws Exception {
        input(dir);
        StepRegistry reg = BuiltinSteps.registry();
        PipelineConfig cfg = PipelineConfig.read(config(dir, """
                  - type: length_filter
                    min_chars: 10
                  - type: jsonl_writer
                """), reg);
        assertThat(cfg.inputs()).hasSize(2);
        RunLayout layout = new RunLayout(dir.resolve("run"));
        LocalExecutor ex = new LocalExecutor(cfg, reg, layout);
        List<LocalExecutor.TaskResult> results = ex.run(2, t -> { });
        new Report(results).write(layout);

        List<String> out0 = Files.readAllLines(layout.output().resolve("documents/task-00000.jsonl"));
        assertThat(out0).hasSize(2);
        assertThat(out0.get(0)).contains("\"a1\"").contains("\"domain\":\"news\"");
        assertThat(out0.get(1)).contains("\"a3\"").contains("\"domain\":\"web\""); // default domain applied
        assertThat(Files.readAllLines(layout.output().resolve("documents/task-00001.jsonl"))).hasSize(1);
        // The broken JSON line and the invalid UTF-8 line are quarantined with reasons, nothing is lost.
        assertThat(Files.readString(layout.quarantine(0))).contains("not valid JSON on line 3");
        assertThat(Files.readString(layout.quarantine(1))).contains("invalid UTF-8 on line 2");
        String md = Files.readString(layout.reportMarkdown());
        assertThat(md).contains("length_filter").contains("`too_short`: 1").contains("2 documents quarantined").contains("| docs/s | M chars/s |");
        assertThat(md.lines().filter(l -> l.startsWith("| 1 | length_filter | 4 |")).findFirst().orElseThrow().split("\\|")).hasSize(12);
        assertThat(Files.readString(layout.reportHtml())).contains("<svg").contains("news");

        // A rerun skips finished tasks: delete one marker, only that task runs again.
        Files.delete(layout.done(1));
        int[] ran = {0};
        new LocalExecutor(cfg, reg, layout).run(1, t -> ran[0]++);
        assertThat(ran[0]).isEqualTo(1);
    }

    @Test
    void configErrorsNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        input(dir);
        StepRegistry reg = BuiltinSteps.registry();
        Path c = config(dir, "  - type: no_such_step\n");
        assertThatThrownBy(() -> PipelineConfig.read(c, reg)).hasMessageContaining(c.toString()).hasMessageContaining("unknown step type 'no_such_step'")
                .hasMessageContaining("length_filter");
        Files.writeString(c, "input: {reader: jsonl, paths: [nothing/*.jsonl]}\nsteps: [{type: length_filter}]\n");
        assertThatThrownBy(() -> PipelineConfig.read(c, reg)).hasMessageContaining("match no files");
        Files.writeString(c, "input: [unclosed\n");
        assertThatThrownBy(() -> PipelineConfig.read(c, reg)).hasMessageContaining("not valid YAML");
    }

    @Test
    void aStepThatThrowsQuarantinesTheDocumentAndTheRunGoesOn(@TempDir Path dir) throws Exception {
        input(dir);
        StepRegistry reg = BuiltinSteps.registry().register("explode", f -> new Step() {
            public String name() { return "explode"; }
            public Document apply(Document d, StepContext ctx) {
                if (d.id().equals("a1")) throw new IllegalStateException("boom on " + d.id());
                return d;
            }
        });
        PipelineConfig cfg = PipelineConfig.read(config(dir, "  - type: explode\n  - type: jsonl_writer\n"), reg);
        RunLayout layout = new RunLayout(dir.resolve("run"));
        new LocalExecutor(cfg, reg, layout).run(1, t -> { });
        assertThat(Files.readString(layout.quarantine(0))).contains("boom on a1").contains("\"step\":\"explode\"");
        assertThat(Files.readAllLines(layout.output().resolve("documents/task-00000.jsonl"))).hasSize(2);
    }

    @Test
    void emptyAndHugeDocumentsAreQuarantinedAndTheRestIsKept(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String huge = "x ".repeat(5000);
        Files.writeString(data.resolve("c.jsonl"), "{\"id\": \"e1\", \"text\": \"\"}\n"
                + "{\"id\": \"h1\", \"text\": \"" + huge + "\"}\n"
                + "{\"id\": \"ok\", \"text\": \"a normal document\"}\n"
                + "{\"id\": \"e2\", \"text\": \"  \\n \"}\n");
        Files.writeString(data.resolve("d.txt"), "first paragraph\n\n" + "long line of a paragraph\n".repeat(100) + "\nlast paragraph\n");
        StepRegistry reg = BuiltinSteps.registry();
        Path c = dir.resolve("p.yaml");
        Files.writeString(c, "input: {reader: jsonl, paths: [data/c.jsonl], max_document_bytes: 1000}\nsteps: [{type: jsonl_writer}]\n");
        RunLayout layout = new RunLayout(dir.resolve("run"));
        new LocalExecutor(PipelineConfig.read(c, reg), reg, layout).run(1, t -> { });
        String q = Files.readString(layout.quarantine(0));
        assertThat(q).contains("empty text on line 1").contains("empty text on line 4")
                .contains("line 2 is 10024 bytes, over the limit of 1000 (input.max_document_bytes)");
        assertThat(q.length()).isLessThan(4000); // the huge line is sampled, not copied whole
        assertThat(Files.readAllLines(layout.output().resolve("documents/task-00000.jsonl"))).singleElement().asString().contains("\"ok\"");

        Files.writeString(c, "input: {reader: paragraphs, paths: [data/d.txt], max_document_bytes: 1000}\nsteps: [{type: jsonl_writer}]\n");
        RunLayout para = new RunLayout(dir.resolve("run-para"));
        new LocalExecutor(PipelineConfig.read(c, reg), reg, para).run(1, t -> { });
        assertThat(Files.readString(para.quarantine(0))).contains("paragraph from line 3 is over the limit of 1000 bytes");
        assertThat(Files.readAllLines(para.output().resolve("documents/task-00000.jsonl"))).hasSize(2);

        Files.writeString(c, "input: {reader: jsonl, paths: [data/c.jsonl], max_document_bytes: 0}\nsteps: [{type: jsonl_writer}]\n");
        assertThatThrownBy(() -> PipelineConfig.read(c, reg)).hasMessageContaining("max_document_bytes");
    }
}
