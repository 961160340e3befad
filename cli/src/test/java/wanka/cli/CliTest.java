package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI as a user meets it: help texts, a whole small run, and one-line errors for bad input. */
class CliTest {

    record Outcome(int code, String err) {
    }

    static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString());
    }

    static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** A small English-and-Chinese corpus with enough repetition to learn from. */
    static Path corpus(Path dir) throws IOException {
        String[] en = {"the council adopted the proposal", "the commission presented a report on energy", "members of parliament voted on the budget",
                "the president thanked the rapporteur for the work"};
        String[] zh = {"春眠不觉晓，处处闻啼鸟。", "床前明月光，疑是地上霜。", "白日依山尽，黄河入海流。"};
        Random r = new Random(0);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) lines.add(en[r.nextInt(en.length)] + " " + (1990 + r.nextInt(30)) + " " + zh[r.nextInt(zh.length)]);
        Path p = dir.resolve("corpus.txt");
        Files.write(p, lines);
        return p;
    }

    @Test
    void everyCommandExplainsItself() {
        for (String[] cmd : new String[][]{{"--help"}, {"pretrain", "--help"}, {"generate", "--help"}, {"chat", "--help"}, {"quickstart", "--help"},
                {"tokenizer", "train", "--help"}, {"bench", "train", "--help"}, {"bench", "gemm", "--help"}, {"data", "dedup", "--help"}}) {
            String out = stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), cmd)).isZero());
            assertThat(out).as(String.join(" ", cmd)).contains("Usage:").hasSizeGreaterThan(200);
        }
    }

    /** picocli formats every help text with String.format: a bare '%' makes it warn on stderr and print the raw text. */
    @Test
    void everyHelpTextFormatsWithoutWarnings() {
        PrintStream old = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        int commands = 0;
        try {
            java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(new picocli.CommandLine(new Main())));
            while (!todo.isEmpty()) {
                picocli.CommandLine cl = todo.pop();
                commands++;
                assertThat(cl.getUsageMessage()).contains("Usage:");
                todo.addAll(cl.getSubcommands().values());
            }
        } finally {
            System.setErr(old);
        }
        assertThat(commands).isGreaterThan(20);
        assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void tokenizerPretrainResumeAndGenerateEndToEnd(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        assertThat(run("tokenizer", "train", text.toString(), "--vocab", "600", "--out", dir.resolve("tok").toString()).code()).isZero();
        assertThat(dir.resolve("tok/tokenizer.json")).exists();
        assertThat(dir.resolve("tok/tokenizer.model")).exists();
        String[] common = {"pretrain", "--preset", "nano", "--vocab-size", "600", "--text", text.toString(), "--tokenizer", dir.resolve("tok").toString(),
                "--out", dir.resolve("run").toString(), "--batch", "2", "--seq", "32", "--checkpoint-every", "2", "--threads", "2", "--quiet"};
        Outcome first = run(concat(common, "--steps", "2"));
        assertThat(first.code()).as(first.err()).isZero();
        Outcome resumed = run(concat(common, "--steps", "4", "--resume", "auto"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("run/metrics.jsonl"))).hasSize(4);
        assertThat(dir.resolve("run/checkpoints/step-00000004/optimizer.safetensors")).exists();
        Path model = dir.resolve("run/model");
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("tokenizer.json")).exists();

        String ids = stdout(() -> {
            Outcome g = run("generate", "--model", model.toString(), "--prompt-ids", "1,50,60", "--print-ids", "--max-new-tokens", "5");
            assertThat(g.code()).as(g.err()).isZero();
        });
        assertThat(ids.strip()).matches("\\d+(,\\d+){4}");
        String text2 = stdout(() -> {
            Outcome g = run("generate", "--model", model.toString(), "--prompt", "the council", "--max-new-tokens", "5",
                    "--temperature", "0.8", "--top-k", "20", "--top-p", "0.9", "--repetition-penalty", "1.03");
            assertThat(g.code()).as(g.err()).isZero();
        });
        assertThat(text2).startsWith("the council");
    }

    @Test
    void dataRunWritesOutputsAndAReportThenPretrainReadsTheShards(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        assertThat(run("tokenizer", "train", text.toString(), "--vocab", "600", "--out", dir.resolve("tok").toString()).code()).isZero();
        Path cfg = dir.resolve("p.yaml");
        Files.writeString(cfg, "input:\n  reader: text\n  paths: [corpus.txt]\n  domain: mixed\nsteps:\n  - type: length_filter\n    min_chars: 10\n"
                + "  - type: tokenize\n    tokenizer: " + dir.resolve("tok") + "\n  - type: jsonl_writer\n");
        Outcome o = run("data", "run", cfg.toString(), "--out", dir.resolve("run").toString(), "--threads", "1");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(Files.readString(dir.resolve("run/report.md"))).contains("tokenize").contains("mixed");
        Path shard = dir.resolve("run/output/tokens/mixed/task-00000.tokens");
        assertThat(shard).exists();
        Outcome p = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--data", shard.toString(), "--out", dir.resolve("train").toString(),
                "--batch", "2", "--seq", "16", "--steps", "2", "--quiet");
        assertThat(p.code()).as(p.err()).isZero();
        // A second domain (a copy of the first) so that the mixture has something to weigh.
        Files.createDirectories(dir.resolve("run/output/tokens/copy"));
        Files.copy(shard, dir.resolve("run/output/tokens/copy/task-00000.tokens"));
        Outcome mixed = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--data-dir", dir.resolve("run/output/tokens").toString(), "--mixing", "odm",
                "--out", dir.resolve("train2").toString(), "--batch", "2", "--seq", "16", "--steps", "2", "--quiet");
        assertThat(mixed.code()).as(mixed.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("train2/metrics.jsonl")).getLast()).contains("domain_weights").contains("\"mixed\"").contains("\"copy\"");
        Outcome badMix = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--data-dir", dir.resolve("run/output/tokens").toString(), "--mixing", "1,2,3",
                "--out", dir.resolve("train3").toString(), "--steps", "1");
        assertThat(badMix.err()).contains("3 weights for 2 domains").doesNotContain("Exception");
        Outcome bad = run("data", "run", dir.resolve("missing.yaml").toString(), "--out", dir.resolve("x").toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("missing.yaml").hasLineCount(1);
    }

    @Test
    void dataRunKeepsWhatADamagedGzHoldsNamesAFailedTaskAndARerunRetriesOnlyIt(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        StringBuilder docs = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            docs.append("{\"id\": \"d").append(i).append("\", \"text\": \"document ").append(i).append(" says ")
                    .append(Integer.toHexString(i * 7919 ^ 0x5bd1e995)).append("\"}\n");
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var g = new java.util.zip.GZIPOutputStream(gz)) {
            g.write(docs.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.write(data.resolve("a.jsonl.gz"), java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2)); // cut in the middle
        Files.writeString(data.resolve("b.jsonl"), "{\"id\": \"b0\", \"text\": \"fine\"}\n");
        Path cfg = dir.resolve("p.yaml");
        Files.writeString(cfg, "input: {reader: jsonl, paths: [data/*]}\nsteps: [{type: jsonl_writer}]\n");
        // A directory where task 1's output file should go: that task fails, the other one goes on.
        Path blocker = Files.createDirectories(dir.resolve("run/output/documents/task-00001.jsonl"));
        Files.writeString(blocker.resolve("x"), "x");

        Outcome o = run("data", "run", cfg.toString(), "--out", dir.resolve("run").toString(), "--threads", "2");
        assertThat(o.code()).as(o.err()).isEqualTo(1);
        assertThat(o.err()).contains("2 tasks: 1 finished, 1 failed; 1 damaged input; 0 documents quarantined")
                .contains("task 1 (" + data.resolve("b.jsonl") + ") failed: step 1 'jsonl_writer' failed to finish: ")
                .contains("1 of 2 tasks failed").contains("running the same command again retries only the failed tasks")
                .doesNotContain("Unexpected end of ZLIB").doesNotContain("\tat ");
        long kept = Files.readAllLines(dir.resolve("run/output/documents/task-00000.jsonl")).size();
        assertThat(kept).isGreaterThan(100);
        String md = Files.readString(dir.resolve("run/report.md"));
        assertThat(md).contains("2 tasks: 1 finished, 1 failed; 1 damaged input").contains("## Failed tasks").contains("## Damaged inputs")
                .contains("| 1 | " + data.resolve("b.jsonl") + " | step 1 'jsonl_writer' failed to finish")
                .contains("| 0 | " + data.resolve("a.jsonl.gz") + " | " + (kept + 1) + " | " + kept + " | truncated");
        // `data report` (e.g. after a Slurm array) sees the failed task too.
        Outcome rep = run("data", "report", "--out", dir.resolve("run").toString());
        assertThat(rep.code()).as(rep.err()).isZero();
        assertThat(rep.err()).contains("2 tasks: 1 finished, 1 failed; 1 damaged input");

        // Out of the way, a rerun runs only the failed task; the damaged input stays in the report, the failure is gone.
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        Outcome again = run("data", "run", cfg.toString(), "--out", dir.resolve("run").toString(), "--threads", "2");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("2 tasks (1 to do)").contains("2 tasks: 2 finished, 0 failed; 1 damaged input");
        assertThat(Files.readString(dir.resolve("run/report.md"))).doesNotContain("## Failed tasks").contains("## Damaged inputs");

        // An input named without wildcards that does not exist: one line naming it, before any task runs.
        Files.writeString(cfg, "input: {reader: jsonl, paths: [data/b.jsonl, data/nope.jsonl]}\nsteps: [{type: jsonl_writer}]\n");
        Outcome missing = run("data", "run", cfg.toString(), "--out", dir.resolve("run2").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file: " + data.resolve("nope.jsonl")).hasLineCount(1);
        assertThat(dir.resolve("run2")).doesNotExist();
    }

    @Test
    void nearDuplicateRemovalThroughTheCommandLine(@TempDir Path dir) throws IOException {
        // 60 distinct documents in two files, plus 20 near copies (one word changed) of documents in the other file.
        Random r = new Random(5);
        String[] vocab = "council budget energy report member vote proposal market water school rail farm trade law court fund port bank code data".split(" ");
        List<String> base = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 60; w++) t.append(vocab[r.nextInt(vocab.length)]).append(w % 7 == 6 ? ". " : " ");
            base.add(t.toString().strip());
        }
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 60; i++) (i < 30 ? a : b).add("{\"id\":\"d" + i + "\",\"text\":\"" + base.get(i) + "\"}");
        for (int i = 0; i < 20; i++) b.add("{\"id\":\"near" + i + "\",\"text\":\"" + base.get(i).replaceFirst("^\\w+", "changed") + "\"}");
        Files.createDirectories(dir.resolve("in"));
        Files.write(dir.resolve("in/a.jsonl"), a);
        Files.write(dir.resolve("in/b.jsonl"), b);
        String mh = dir.resolve("mh").toString();
        Files.writeString(dir.resolve("sigs.yaml"), "input: {reader: jsonl, paths: [in/*.jsonl]}\nsteps:\n  - {type: minhash_signatures, dir: " + mh + ", ngram: 3, bands: 20, rows: 5}\n");
        Files.writeString(dir.resolve("filter.yaml"), "input: {reader: jsonl, paths: [in/*.jsonl]}\nsteps:\n  - {type: minhash_filter, dir: " + mh + "}\n  - {type: jsonl_writer}\n");
        assertThat(run("data", "run", dir.resolve("sigs.yaml").toString(), "--out", dir.resolve("r1").toString(), "--threads", "1").code()).isZero();
        Outcome d = run("data", "dedup", "--dir", mh, "--workers", "2");
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(run("data", "run", dir.resolve("filter.yaml").toString(), "--out", dir.resolve("r2").toString(), "--threads", "1").code()).isZero();
        List<String> kept = new ArrayList<>();
        for (String f : List.of("task-00000.jsonl", "task-00001.jsonl")) kept.addAll(Files.readAllLines(dir.resolve("r2/output/documents/" + f)));
        assertThat(kept).hasSize(60).noneMatch(l -> l.contains("\"near"));
        assertThat(Files.readString(dir.resolve("r2/report.md"))).contains("`near_duplicate`: 20");
        Outcome none = run("data", "dedup", "--dir", dir.resolve("nothing").toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no sigs/ folder").hasLineCount(1);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void unknownPresetNamesTheKnownOnes(@TempDir Path dir) {
        Outcome o = run("pretrain", "--preset", "huge", "--data", "x.tokens", "--out", dir.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("unknown model preset 'huge'").contains("nano").hasLineCount(1);
    }

    @Test
    void missingConfigFieldNamesFileAndField(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\":\"telechat\",\"n_layer\":2,\"n_head\":4,\"ffn_hidden_size\":32,\"vocab_size\":100}");
        Outcome o = run("pretrain", "--config", cfg.toString(), "--data", "x.tokens", "--out", dir.resolve("o").toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(cfg.toString()).contains("hidden_size").hasLineCount(1);
    }

    @Test
    void corruptShardEmptyCorpusAndMissingModelFail(@TempDir Path dir) throws IOException {
        Path shard = dir.resolve("bad.tokens");
        try (var w = new wanka.data.TokenShardWriter(shard, 100, 2)) {
            w.addDocument(new int[]{5, 6, 7, 8, 9, 10, 11});
        }
        byte[] b = Files.readAllBytes(shard);
        b[b.length - 1] ^= 1;
        Files.write(shard, b);
        Outcome o = run("pretrain", "--preset", "nano", "--data", shard.toString(), "--out", dir.resolve("o").toString());
        assertThat(o.err()).contains(shard.toString()).contains("checksum").hasLineCount(1);
        assertThat(o.code()).isEqualTo(1);

        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n\n  \n");
        Outcome e = run("tokenizer", "train", empty.toString(), "--out", dir.resolve("t").toString());
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).contains("empty").contains(empty.toString());

        Outcome m = run("generate", "--model", dir.resolve("nope").toString(), "--prompt-ids", "1", "--print-ids");
        assertThat(m.code()).isEqualTo(1);
        assertThat(m.err()).contains("nope").hasLineCount(1);
    }

    @Test
    void wrongWeightShapeAndTruncatedSafetensorsNameTheTensorAndFile(@TempDir Path dir) throws IOException {
        Path text = corpus(dir);
        run("tokenizer", "train", text.toString(), "--vocab", "600", "--out", dir.resolve("tok").toString());
        Outcome ok = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--text", text.toString(), "--tokenizer", dir.resolve("tok").toString(),
                "--out", dir.resolve("run").toString(), "--batch", "1", "--seq", "16", "--steps", "1", "--quiet");
        assertThat(ok.code()).as(ok.err()).isZero();
        Path model = dir.resolve("run/model");
        // A config claiming another hidden size: every weight's shape disagrees.
        String cfg = Files.readString(model.resolve("config.json"));
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.copy(model.resolve("model.safetensors"), other.resolve("model.safetensors"));
        Files.writeString(other.resolve("config.json"), cfg.replaceFirst("\"ffn_hidden_size\"\\s*:\\s*\\d+", "\"ffn_hidden_size\" : 512"));
        Outcome shape = run("generate", "--model", other.toString(), "--prompt-ids", "1", "--print-ids");
        assertThat(shape.code()).isEqualTo(1);
        assertThat(shape.err()).contains("gate_proj.weight").contains("512").hasLineCount(1);
        // Truncated weights file.
        byte[] w = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(other.resolve("model.safetensors"), java.util.Arrays.copyOf(w, w.length / 2));
        Files.writeString(other.resolve("config.json"), cfg);
        Outcome trunc = run("generate", "--model", other.toString(), "--prompt-ids", "1", "--print-ids");
        assertThat(trunc.code()).isEqualTo(1);
        assertThat(trunc.err()).contains("model.safetensors").hasLineCount(1);
    }
}
