package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.steps.BuiltinSteps;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damaged and missing inputs: a cut, empty or corrupt .gz keeps the documents read before the damage and records the
 * damage (file, line, documents read, reason); a failing task does not stop the run and is named in the report.
 */
class DamagedInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** n JSONL documents whose texts vary enough that the compressed file is not tiny. */
    static String jsonl(String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append("{\"id\": \"").append(prefix).append(i).append("\", \"text\": \"document ").append(i)
                .append(" says ").append(Integer.toHexString(i * 7919 ^ 0x5bd1e995)).append(" about the council\"}\n");
        return sb.toString();
    }

    /** What the JDK's own decoder gets out of {@code data} before it fails: the oracle for "everything before the damage". */
    static String decodable(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            byte[] buf = new byte[1];
            while (in.read(buf) > 0) out.write(buf[0]);
        } catch (IOException expected) {
            // the damage
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The lines of {@code s} that end with a newline. */
    static long completeLines(String s) {
        return s.chars().filter(c -> c == '\n').count();
    }

    record Run(RunLayout layout, LocalExecutor executor, LocalExecutor.Outcome outcome) {
        List<String> output(int task) throws IOException {
            Path p = layout.output().resolve(String.format("documents/task-%05d.jsonl", task));
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        }

        LocalExecutor.TaskResult result(int task) {
            return outcome.finished().stream().filter(r -> r.task() == task).findFirst().orElseThrow();
        }

        JsonNode quarantined(int task, int i) throws IOException {
            return JSON.readTree(Files.readAllLines(layout.quarantine(task)).get(i));
        }
    }

    static Run run(Path dir, String reader, String paths, StepRegistry reg, String steps) throws Exception {
        Path c = dir.resolve("p-" + reader + ".yaml");
        Files.writeString(c, "input: {reader: " + reader + ", paths: " + paths + "}\nsteps:\n" + steps);
        RunLayout layout = new RunLayout(dir.resolve("run-" + reader));
        LocalExecutor ex = new LocalExecutor(PipelineConfig.read(c, reg), reg, layout);
        LocalExecutor.Outcome o = ex.execute(2, t -> { });
        new Report(o.finished(), o.failed()).write(layout);
        return new Run(layout, ex, o);
    }

    static Run run(Path dir, String reader, String paths) throws Exception {
        return run(dir, reader, paths, BuiltinSteps.registry(), "  - type: length_filter\n    min_chars: 5\n  - type: jsonl_writer\n");
    }

    @Test
    void aJsonlGzCutInTheMiddleKeepsTheDocumentsBeforeTheCutQuarantinesTheRestAndTheRunCompletes(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String full = jsonl("d", 3000);
        byte[] gz = gzip(full);
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        Files.write(data.resolve("a.jsonl.gz"), cut);
        Files.writeString(data.resolve("b.jsonl"), jsonl("b", 3));
        long k = completeLines(decodable(cut));
        assertThat(k).isBetween(100L, 2900L); // really in the middle

        Run r = run(dir, "jsonl", "[data/*]");

        assertThat(r.outcome().failed()).isEmpty();
        assertThat(r.outcome().finished()).hasSize(2);
        List<String> out = r.output(0);
        assertThat(out).hasSize((int) k);
        for (int i = 0; i < k; i++) assertThat(out.get(i)).contains("\"id\":\"d" + i + "\""); // in order, none lost
        assertThat(r.output(1)).hasSize(3);

        Quarantine.Damage d = r.result(0).damaged().getFirst();
        assertThat(r.result(0).damaged()).hasSize(1);
        assertThat(d.file()).endsWith("a.jsonl.gz");
        assertThat(d.line()).isEqualTo(k + 1);
        assertThat(d.documents()).isEqualTo(k);
        assertThat(d.reason()).contains("truncated");
        assertThat(r.result(1).damaged()).isEmpty();
        // The quarantine names the file and position, and keeps what was read of the cut line.
        JsonNode q = r.quarantined(0, 0);
        assertThat(q.get("id").asText()).isEqualTo("a.jsonl.gz:" + (k + 1));
        assertThat(q.get("reason").asText()).contains("a.jsonl.gz: damaged at line " + (k + 1) + ", after " + k + " documents").contains("truncated");
        assertThat(full.lines().skip(k).findFirst().orElseThrow()).startsWith(q.get("text").asText());
        assertThat(r.result(0).quarantined()).isZero(); // the damage is not counted as a quarantined document

        String md = Files.readString(r.layout().reportMarkdown());
        assertThat(md).contains("2 tasks: 2 finished, 0 failed; 1 damaged input; 0 documents quarantined").contains("## Damaged inputs")
                .contains("a.jsonl.gz | " + (k + 1) + " | " + k + " | truncated").doesNotContain("## Failed tasks");
        assertThat(md).contains("| 1 | length_filter | " + (k + 3) + " |");
        assertThat(Files.readString(r.layout().reportHtml())).contains("Damaged inputs").contains("a.jsonl.gz").contains("1 damaged input");

        // A rerun does not fail again at once: the task is done, nothing runs.
        int[] ran = {0};
        assertThat(r.executor().execute(1, t -> ran[0]++).failed()).isEmpty();
        assertThat(ran[0]).isZero();
    }

    @Test
    void aTextGzCutInTheMiddleKeepsItsLinesAndParagraphsBeforeTheCut(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            text.append("paragraph ").append(i).append(" first line ").append(Integer.toHexString(i * 40503)).append('\n')
                    .append("and its second line ").append(i * 31).append("\n\n");
        }
        byte[] gz = gzip(text.toString());
        byte[] cut = Arrays.copyOf(gz, gz.length * 2 / 3);
        Files.write(data.resolve("t.txt.gz"), cut);
        String prefix = decodable(cut);
        String complete = prefix.substring(0, prefix.lastIndexOf('\n') + 1);

        Run lines = run(dir, "text", "[data/t.txt.gz]");
        long nonBlank = complete.lines().filter(l -> !l.isBlank()).count();
        assertThat(lines.output(0)).hasSize((int) nonBlank);
        Quarantine.Damage d = lines.result(0).damaged().getFirst();
        assertThat(d.line()).isEqualTo(completeLines(prefix) + 1);
        assertThat(d.documents()).isEqualTo(nonBlank);
        assertThat(lines.quarantined(0, 0).get("text").asText()).isEqualTo(prefix.substring(complete.length()));

        Run paragraphs = run(dir, "paragraphs", "[data/t.txt.gz]");
        long finished = complete.split("\n\n", -1).length - 1; // paragraphs closed by a blank line before the cut
        assertThat(paragraphs.output(0)).hasSize((int) finished);
        assertThat(paragraphs.output(0).getLast()).contains("paragraph " + (finished - 1) + " first line");
        Quarantine.Damage pd = paragraphs.result(0).damaged().getFirst();
        assertThat(pd.documents()).isEqualTo(finished);
        // The paragraph in progress at the cut is not emitted as if whole: it is in the quarantine.
        String pending = paragraphs.quarantined(0, 0).get("text").asText();
        assertThat(pending).startsWith("paragraph " + finished + " ").doesNotContain("\n\n");
        assertThat(paragraphs.output(0)).noneMatch(l -> l.contains("paragraph " + finished + " "));
    }

    @Test
    void anEmptyOrNonGzipDotGzIsADamagedInputWithNoDocuments(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.write(data.resolve("empty.jsonl.gz"), new byte[0]);
        Files.writeString(data.resolve("plain.jsonl.gz"), jsonl("p", 2));
        Run r = run(dir, "jsonl", "[data/*.gz]");
        assertThat(r.outcome().failed()).isEmpty();
        Quarantine.Damage empty = r.result(0).damaged().getFirst(), plain = r.result(1).damaged().getFirst();
        assertThat(empty.file()).endsWith("empty.jsonl.gz");
        assertThat(empty.line()).isEqualTo(1);
        assertThat(empty.documents()).isZero();
        assertThat(empty.reason()).contains("empty (0 bytes)");
        assertThat(plain.reason()).contains("not gzip data");
        assertThat(r.output(0)).isEmpty();
        assertThat(Files.readString(r.layout().reportMarkdown())).contains("2 damaged inputs").contains("empty.jsonl.gz").contains("plain.jsonl.gz");
    }

    @Test
    void garbageAfterAValidMemberOrACorruptCrcKeepsEveryDocumentAndIsRecorded(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        byte[] gz = gzip(jsonl("d", 500));
        // A second member whose header is damaged: the JDK's GZIPInputStream would silently skip it and what follows.
        byte[] second = gzip(jsonl("e", 500));
        second[0] = 0x00;
        Files.write(data.resolve("a-garbage.jsonl.gz"), concat(gz, second));
        byte[] crc = gz.clone();
        crc[crc.length - 8] ^= 0x01; // the CRC-32 in the trailer
        Files.write(data.resolve("b-crc.jsonl.gz"), crc);
        // Healthy files: two concatenated members, and a header with a file name (as gzip(1) writes it).
        Files.write(data.resolve("c-two-members.jsonl.gz"), concat(gz, gzip(jsonl("f", 500))));
        byte[] name = "c.jsonl\0".getBytes(StandardCharsets.US_ASCII);
        byte[] named = new byte[gz.length + name.length];
        System.arraycopy(gz, 0, named, 0, 10);
        named[3] = 8; // FNAME
        System.arraycopy(name, 0, named, 10, name.length);
        System.arraycopy(gz, 10, named, 10 + name.length, gz.length - 10);
        Files.write(data.resolve("d-named.jsonl.gz"), named);

        Run r = run(dir, "jsonl", "[data/*.gz]");
        assertThat(r.outcome().failed()).isEmpty();
        assertThat(r.output(0)).hasSize(500);
        Quarantine.Damage g = r.result(0).damaged().getFirst();
        assertThat(g.line()).isEqualTo(501);
        assertThat(g.documents()).isEqualTo(500);
        assertThat(g.reason()).contains(second.length + " bytes of trailing garbage after the last gzip member, from byte " + gz.length);
        assertThat(r.output(1)).hasSize(500); // decoded in full, but flagged: the data may be corrupt
        assertThat(r.result(1).damaged().getFirst().reason()).contains("CRC check failed");
        assertThat(r.output(2)).hasSize(1000);
        assertThat(r.output(2).getLast()).contains("\"f499\"");
        assertThat(r.result(2).damaged()).isEmpty();
        assertThat(r.output(3)).hasSize(500);
        assertThat(r.result(3).damaged()).isEmpty();
    }

    @Test
    void aPlainFileWhoseLastLineHasNoNewlineIsJustRead(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String docs = jsonl("d", 3);
        Files.writeString(data.resolve("a.jsonl"), docs.substring(0, docs.length() - 1));
        Files.write(data.resolve("b.jsonl.gz"), gzip(docs.substring(0, docs.length() - 1)));
        Run r = run(dir, "jsonl", "[data/a.jsonl, data/b.jsonl.gz]");
        assertThat(r.output(0)).hasSize(3);
        assertThat(r.output(1)).hasSize(3);
        assertThat(r.outcome().finished()).allMatch(t -> t.damaged().isEmpty() && t.quarantined() == 0);
        assertThat(r.layout().quarantine(0)).doesNotExist();

        Files.writeString(data.resolve("c.txt"), "first line\nlast line without newline");
        Run text = run(dir, "text", "[data/c.txt]");
        assertThat(text.output(0)).hasSize(2);
        assertThat(text.output(0).getLast()).contains("last line without newline");
    }

    @Test
    void aMissingInputIsAnErrorBeforeAnyTaskAndAFileThatVanishesFailsOnlyItsTask(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.jsonl"), jsonl("a", 2));
        StepRegistry reg = BuiltinSteps.registry();
        Path c = dir.resolve("p.yaml");
        // Named without wildcards: must exist (it used to be left out without a word).
        Files.writeString(c, "input: {reader: jsonl, paths: [data/a.jsonl, data/missing.jsonl]}\nsteps: [{type: jsonl_writer}]\n");
        assertThatThrownBy(() -> PipelineConfig.read(c, reg)).hasMessageContaining(c.toString())
                .hasMessageContaining("no such file: " + data.resolve("missing.jsonl"));

        // A file that disappears after the config was read fails its task, names the file, and the other task finishes.
        Files.writeString(data.resolve("b.jsonl"), jsonl("b", 2));
        Files.writeString(c, "input: {reader: jsonl, paths: [data/a.jsonl, data/b.jsonl]}\nsteps: [{type: jsonl_writer}]\n");
        RunLayout layout = new RunLayout(dir.resolve("run"));
        LocalExecutor ex = new LocalExecutor(PipelineConfig.read(c, reg), reg, layout);
        Files.move(data.resolve("b.jsonl"), dir.resolve("b.jsonl.away"));
        LocalExecutor.Outcome o = ex.execute(2, t -> { });
        assertThat(o.finished()).extracting(LocalExecutor.TaskResult::task).containsExactly(0);
        LocalExecutor.TaskFailure f = o.failed().getFirst();
        assertThat(o.failed()).hasSize(1);
        assertThat(f.task()).isEqualTo(1);
        assertThat(f.input()).isEqualTo(data.resolve("b.jsonl").toString());
        assertThat(f.error()).isEqualTo("no such file: " + data.resolve("b.jsonl"));
        assertThat(LocalExecutor.failedTasks(layout)).containsExactly(f); // what `data report` reads
        new Report(o.finished(), o.failed()).write(layout);
        assertThat(Files.readString(layout.reportMarkdown())).contains("2 tasks: 1 finished, 1 failed").contains("## Failed tasks")
                .contains("| 1 | " + data.resolve("b.jsonl") + " | no such file: " + data.resolve("b.jsonl") + " |").contains("retries only these tasks");
        assertThatThrownBy(() -> ex.run(1, t -> { })).hasMessageContaining("1 of 2 tasks failed").hasMessageContaining("b.jsonl");

        // Once the file is back, a rerun runs only the failed task, and the failure is gone from the record.
        Files.move(dir.resolve("b.jsonl.away"), data.resolve("b.jsonl"));
        List<Integer> ran = new ArrayList<>();
        LocalExecutor.Outcome again = ex.execute(2, ran::add);
        assertThat(ran).containsExactly(1);
        assertThat(again.failed()).isEmpty();
        assertThat(again.finished()).hasSize(2);
        assertThat(LocalExecutor.failedTasks(layout)).isEmpty();
    }

    @Test
    void aTaskThatFailsForAnyOtherReasonIsNamedWithItsStepAndError(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.jsonl"), jsonl("a", 2));
        Files.writeString(data.resolve("b.jsonl"), jsonl("b", 2));
        StepRegistry reg = BuiltinSteps.registry().register("flaky_writer", f -> new Step() {
            boolean sawB;

            public String name() {
                return "flaky_writer";
            }

            public Document apply(Document d, StepContext ctx) {
                sawB |= d.id().startsWith("b");
                return d;
            }

            public void finish(StepContext ctx) {
                if (sawB) throw new IllegalStateException("disk full <b>");
            }
        });
        Run r = run(dir, "jsonl", "[data/*.jsonl]", reg, "  - type: length_filter\n  - type: flaky_writer\n");
        assertThat(r.outcome().finished()).hasSize(1);
        assertThat(r.outcome().failed().getFirst().error()).isEqualTo("step 2 'flaky_writer' failed to finish: IllegalStateException: disk full <b>");
        assertThat(r.outcome().failed().getFirst().trace()).contains("IllegalStateException").contains("DamagedInputTest");
        assertThat(Files.readString(r.layout().failed(1))).contains("disk full");
        String html = Files.readString(r.layout().reportHtml());
        assertThat(html).contains("<span class=bad>1 failed</span>").contains("Failed tasks").contains(data.resolve("b.jsonl").toString())
                .contains("disk full &lt;b&gt;");
    }
}
