package wanka.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.lora.LoraTarget;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.PostTrainCommandsTest.Outcome;
import static wanka.cli.PostTrainCommandsTest.run;

/**
 * The bad inputs of issue 11 through the commands: each a one-line error naming the file (and line), bad lines
 * quarantined and counted, and no output written half (no model, adapter, pairs or checkpoint directory).
 */
class PostTrainBadInputTest {
    @TempDir
    static Path dir;
    static Path base;

    @BeforeAll
    static void model() throws IOException {
        base = PostTrainCommandsTest.base(dir);
    }

    private static List<String> outputs(Path out) throws IOException {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).sorted().toList();
        }
    }

    @Test
    void badLinesAreQuarantinedWithFileAndLineAndAFileOfNothingButBadLinesTrainsNothing() throws IOException {
        String longAnswer = "the cat sat on the mat ".repeat(20);
        Path data = Files.write(dir.resolve("bad.jsonl"), List.of(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"no answer here\"}]}",
                "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}",
                "{\"instruction\": \"hello\", \"output\": \"" + longAnswer + "\"}"));
        Path out = dir.resolve("sft-bad");
        Outcome o = run("sft", "--model", base.toString(), "--data", data.toString(), "--out", out.toString(), "--seq", "32", "--steps", "1", "--threads", "1");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("no usable samples").contains(data.toString()).contains("quarantine.jsonl").hasLineCount(1);
        assertThat(o.log()).contains("0 samples").contains("3 lines quarantined");
        List<String> q = Files.readAllLines(out.resolve("quarantine.jsonl"));
        assertThat(q).hasSize(3).allSatisfy(l -> assertThat(l).contains(data.toString()));
        assertThat(q.get(0)).contains("\"line\":1").contains("no assistant turn");
        assertThat(q.get(1)).contains("\"line\":2").contains("unknown role");
        assertThat(q.get(2)).contains("\"line\":3").contains("too long");
        assertThat(outputs(out)).containsExactly("quarantine.jsonl");
    }

    @Test
    void aTokenizerWithoutChatTokensIsAnErrorNamingIt() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain-tok")); // a GPT-2 style tokenizer: no <_user>, <_bot>, <_end>
        wanka.tokenizer.hf.TokenizerJson.write(wanka.tokenizer.train.BpeTrainer.trainByteLevel(List.of("hello world", "the cat sat on the mat"),
                new wanka.tokenizer.train.TrainerOptions.ByteLevel(300, List.of("<|endoftext|>"), wanka.tokenizer.bytelevel.PreTokenizerPattern.GPT2, 16, 1)),
                plain.resolve("tokenizer.json"));
        Path data = Files.write(dir.resolve("ok.jsonl"), List.of("{\"instruction\": \"hello\", \"output\": \"world\"}"));
        for (String cmd : List.of("sft", "rm", "dpo")) {
            Path out = dir.resolve(cmd + "-plain");
            Outcome o = run(cmd, "--model", base.toString(), "--tokenizer", plain.toString(), "--data", data.toString(), "--out", out.toString(), "--steps", "1");
            assertThat(o.code()).as(cmd + ": " + o.all()).isEqualTo(1);
            assertThat(o.err()).as(cmd).contains(plain.toString()).contains("<_user>").hasLineCount(1);
            assertThat(outputs(out)).as(cmd + " wrote nothing").isEmpty();
        }
    }

    @Test
    void aRewardModelWithoutItsHeadIsAnErrorNamingItAndNoPairsAreWritten() throws IOException {
        Path prompts = Files.write(dir.resolve("prompts.jsonl"), List.of("{\"prompt\": \"hello\"}"));
        Path out = dir.resolve("wn-nohead");
        Outcome o = run("west-of-n", "--policy", base.toString(), "--reward", base.toString(), "--prompts", prompts.toString(), "--out", out.toString(),
                "--n", "2", "--max-new-tokens", "2", "--threads", "1");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(base.toString()).contains("reward_head.safetensors").contains("wanka rm").hasLineCount(1);
        assertThat(outputs(out)).doesNotContain("pairs.jsonl");
    }

    @Test
    void anAdapterTrainedOnAnotherBaseModelIsRefusedNamingItsConfig() throws IOException {
        Path adapter = dir.resolve("foreign-adapter");
        try (CpuDevice cpu = CpuDevice.withThreads(1)) {
            TeleChat2Config cfg = ModelIO.load(base, cpu).config();
            TeleChat2 other = TeleChat2.initialize(cfg, cpu, 99);
            LoraAdapters.attach(other, new LoraConfig(2, 4, 0, EnumSet.allOf(LoraTarget.class), 1), cpu).save(adapter, "other");
            TeleChat2 ours = ModelIO.load(base, cpu);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraAdapters.load(adapter, ours, cpu))
                    .hasMessageContaining(adapter.resolve("adapter_config.json").toString()).hasMessageContaining("another base model");
        }
    }
}
