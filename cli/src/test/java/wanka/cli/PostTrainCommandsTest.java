package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;

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

import static org.assertj.core.api.Assertions.assertThat;

/** sft (full, LoRA + merge), rm, west-of-n and dpo driven through the CLI on tiny data, their outputs loaded by generate. */
class PostTrainCommandsTest {

    record Outcome(int code, String err, String log) {
        String all() {
            return err + log;
        }
    }

    static Outcome run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(err, true), args);
            return new Outcome(code, err.toString(), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A tokenizer with TeleChat2's chat tokens and a tiny random model over it, in one HF directory. */
    static Path base(Path dir) throws IOException {
        String[] words = {"the", "cat", "sat", "on", "mat", "what", "is", "a", "dog", "answer", "question", "hello", "world", "you", "are", "helpful"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 8; j++) sb.append(words[(i * 7 + j * 3) % words.length]).append(' ');
            lines.add(sb.toString().strip());
        }
        Path text = Files.write(dir.resolve("text.txt"), lines);
        Path model = dir.resolve("base");
        Outcome t = run("tokenizer", "train", text.toString(), "--vocab", "420", "--out", model.toString());
        assertThat(t.code()).as(t.all()).isZero();
        int vocab = Corpora.loadTokenizer(model).vocabSize();
        try (CpuDevice cpu = CpuDevice.withThreads(2)) {
            TeleChat2 m = TeleChat2.initialize(TeleChat2Config.of(vocab, 64, 2, 4, 2, 96, 64), cpu, 1);
            ModelIO.save(m, model);
        }
        return model;
    }

    @Test
    void sftRmWestOfNAndDpoRunEndToEndAndTheirModelsGenerate(@TempDir Path dir) throws IOException {
        Path base = base(dir);
        Path sftData = Files.write(dir.resolve("sft.jsonl"), List.of(
                "{\"instruction\": \"what is a cat\", \"output\": \"a cat is helpful\"}",
                "{\"instruction\": \"hello\", \"output\": \"hello world\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"question\"}, {\"role\": \"assistant\", \"content\": \"the answer\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"no answer here\"}]}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"what is a dog\"}, {\"from\": \"gpt\", \"value\": \"a dog is on the mat\"}]}"));
        String[] common = {"--model", base.toString(), "--seq", "48", "--batch", "2", "--threads", "2", "--steps", "3", "--lr", "1e-3", "--quiet"};

        Path sft = dir.resolve("sft");
        Outcome full = run(concat(concat(new String[]{"sft"}, common), "--data", sftData.toString(), "--out", sft.toString(), "--eval", sftData.toString()));
        assertThat(full.code()).as(full.all()).isZero();
        assertThat(full.log()).contains("4 samples").contains("1 lines quarantined").contains("eval loss before").contains("eval loss after");
        assertThat(Files.readAllLines(sft.resolve("quarantine.jsonl"))).singleElement().asString().contains("\"line\":4").contains("no assistant turn");
        assertThat(sft.resolve("checkpoints/step-00000003/manifest.json")).isRegularFile();
        assertThat(sft.resolve("model/tokenizer.json")).isRegularFile();
        assertThat(Files.readAllLines(sft.resolve("metrics.jsonl"))).hasSize(3);

        Outcome again = run(concat(concat(new String[]{"sft"}, common), "--data", sftData.toString(), "--out", sft.toString()));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("--overwrite").hasLineCount(1);

        Path lora = dir.resolve("lora");
        Outcome l = run(concat(concat(new String[]{"sft"}, common), "--data", sftData.toString(), "--out", lora.toString(), "--lora-rank", "2", "--merge"));
        assertThat(l.code()).as(l.all()).isZero();
        assertThat(l.log()).contains("LoRA rank 2");
        assertThat(lora.resolve("adapter/adapter_config.json")).isRegularFile();
        assertThat(lora.resolve("checkpoints/step-00000003/adapter_model.safetensors")).isRegularFile();
        assertThat(lora.resolve("model/model.safetensors")).isRegularFile();

        Path graded = Files.write(dir.resolve("graded.jsonl"), List.of(
                "{\"prompt\": \"what is a cat\", \"high\": \"a cat is helpful\", \"mid\": \"a cat\", \"low\": \"mat mat\"}",
                "{\"prompt\": \"hello\", \"responses\": [{\"response\": \"hello world\", \"label\": \"high\"}, {\"response\": \"dog\", \"label\": \"low\"}]}",
                "{\"prompt\": \"question\", \"chosen\": \"the answer\", \"rejected\": \"what\"}",
                "{\"prompt\": \"x\", \"high\": \"only\"}"));
        Path rm = dir.resolve("rm");
        Outcome r = run(concat(concat(new String[]{"rm"}, common), "--data", graded.toString(), "--eval", graded.toString(), "--out", rm.toString(), "--margin-small", "0.3"));
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.log()).contains("5 pairs, 1 lines quarantined").contains("eval accuracy before").contains("eval accuracy after");
        assertThat(rm.resolve("model/reward_head.safetensors")).isRegularFile();

        Path prompts = Files.write(dir.resolve("prompts.jsonl"), List.of("{\"prompt\": \"what is a cat\"}", "{\"prompt\": \"hello\"}", "{\"instruction\": \"question\"}"));
        Path wn = dir.resolve("wn");
        String[] wnArgs = {"west-of-n", "--policy", sft.resolve("model").toString(), "--reward", rm.resolve("model").toString(), "--prompts", prompts.toString(),
                "--out", wn.toString(), "--n", "3", "--max-new-tokens", "6", "--threads", "2"};
        Outcome w = run(wnArgs);
        assertThat(w.code()).as(w.all()).isZero();
        assertThat(w.log()).contains("tokens/s");
        List<String> pairs = Files.readAllLines(wn.resolve("pairs.jsonl"));
        assertThat(pairs.size() + (Files.exists(wn.resolve("pairs.skipped.jsonl")) ? Files.readAllLines(wn.resolve("pairs.skipped.jsonl")).size() : 0)).isEqualTo(3);
        assertThat(pairs.getFirst()).contains("\"chosen\"").contains("\"confidence\"");
        Outcome w2 = run(wnArgs);
        assertThat(w2.code()).as(w2.all()).isZero();
        assertThat(w2.log()).contains("3 prompts already in");
        assertThat(Files.readAllLines(wn.resolve("pairs.jsonl"))).isEqualTo(pairs);

        Path dpo = dir.resolve("dpo");
        String[] dpoArgs = concat(concat(new String[]{"dpo"}, common), "--data", wn.resolve("pairs.jsonl").toString(), "--out", dpo.toString(),
                "--beta", "0.2", "--nll-alpha", "0.5", "--loss", "ipo");
        Outcome d = run(dpoArgs);
        assertThat(d.code()).as(d.all()).isZero();
        assertThat(d.log()).contains("reference log-probs: computed");
        assertThat(Files.readString(dpo.resolve("metrics.jsonl"))).contains("rewards_margin").contains("rewards_accuracy").contains("nll");
        Outcome d2 = run(concat(dpoArgs, "--overwrite"));
        assertThat(d2.code()).as(d2.all()).isZero();
        assertThat(d2.log()).contains("reference log-probs: reused");
        Outcome badLoss = run(concat(concat(new String[]{"dpo"}, common), "--data", wn.resolve("pairs.jsonl").toString(), "--out", dpo.toString(), "--overwrite", "--loss", "square"));
        assertThat(badLoss.code()).isEqualTo(1);
        assertThat(badLoss.err()).contains("sigmoid, ipo or hinge");

        for (Path m : List.of(sft.resolve("model"), lora.resolve("model"), dpo.resolve("model"))) {
            Outcome g = run("generate", "--model", m.toString(), "--prompt", "what is a cat", "--chat", "--max-new-tokens", "4", "--threads", "1");
            assertThat(g.code()).as(m + ": " + g.all()).isZero();
        }
    }

    @Test
    void everyPostTrainingCommandTeachesWithExamples() {
        for (String cmd : List.of("sft", "rm", "dpo", "west-of-n")) {
            String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), cmd, "--help")).isZero());
            assertThat(out).as(cmd).contains("Usage:").contains("Examples:").contains("wanka " + cmd);
        }
    }
}
