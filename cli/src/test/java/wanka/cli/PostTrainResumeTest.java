package wanka.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.PostTrainCommandsTest.Outcome;
import static wanka.cli.PostTrainCommandsTest.concat;
import static wanka.cli.PostTrainCommandsTest.run;

/**
 * {@code --resume auto} of sft, rm and dpo (full and LoRA): a run interrupted after its step-2 checkpoint (its newer
 * step-4 checkpoint damaged, its outputs never written) and resumed ends with bitwise the weights (or adapter and head)
 * of the same run done in one go.
 */
class PostTrainResumeTest {
    @TempDir
    static Path dir;
    static Path base, sftData, pairs;

    @BeforeAll
    static void data() throws IOException {
        base = PostTrainCommandsTest.base(dir);
        sftData = Files.write(dir.resolve("sft.jsonl"), List.of(
                "{\"instruction\": \"what is a cat\", \"output\": \"a cat is helpful\"}",
                "{\"instruction\": \"hello\", \"output\": \"hello world\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"question\"}, {\"role\": \"assistant\", \"content\": \"the answer\"}]}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"what is a dog\"}, {\"from\": \"gpt\", \"value\": \"a dog is on the mat\"}]}"));
        pairs = Files.write(dir.resolve("pairs.jsonl"), List.of(
                "{\"prompt\": \"what is a cat\", \"high\": \"a cat is helpful\", \"mid\": \"a cat\", \"low\": \"mat mat\"}",
                "{\"prompt\": \"hello\", \"chosen\": \"hello world\", \"rejected\": \"dog\"}",
                "{\"prompt\": \"question\", \"chosen\": \"the answer\", \"rejected\": \"what\"}"));
    }

    private static String[] args(String command, Path data, Path out, String... extra) {
        String[] common = {command, "--model", base.toString(), "--data", data.toString(), "--out", out.toString(), "--seq", "40", "--batch", "2",
                "--threads", "2", "--steps", "5", "--checkpoint-every", "2", "--lr", "3e-3", "--warmup", "1", "--quiet"};
        return concat(common, extra);
    }

    /** Runs {@code command} in one go and interrupted; returns the names of the compared final files. */
    private static List<String> assertResumesBitwise(String name, String command, Path data, String output, String... extra) throws IOException {
        Path whole = dir.resolve(name + "-whole"), cut = dir.resolve(name + "-cut");
        Outcome a = run(args(command, data, whole, extra));
        assertThat(a.code()).as(a.all()).isZero();

        // The interrupted run: its checkpoints up to step 4, the step-4 one damaged (as by a crash of the disk), no outputs.
        copyTree(whole, cut);
        deleteTree(cut.resolve("checkpoints/step-00000005"));
        deleteTree(cut.resolve(output));
        Path damaged = cut.resolve("checkpoints/step-00000004/optimizer.safetensors");
        Files.write(damaged, java.util.Arrays.copyOf(Files.readAllBytes(damaged), (int) Files.size(damaged) - 8));
        List<String> metrics = Files.readAllLines(cut.resolve("metrics.jsonl"));
        Files.write(cut.resolve("metrics.jsonl"), metrics.subList(0, 4)); // it died during step 5

        Outcome refused = run(args(command, data, cut, extra));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("--resume auto");
        Outcome otherSeed = run(concat(args(command, data, cut, extra), "--resume", "auto", "--seed", "99"));
        assertThat(otherSeed.code()).as(otherSeed.all()).isEqualTo(1);
        assertThat(otherSeed.err()).contains("--seed 1234").contains("would not continue the same run");

        Outcome b = run(concat(args(command, data, cut, extra), "--resume", "auto"));
        assertThat(b.code()).as(b.all()).isZero();
        assertThat(b.log()).contains("skipping " + cut.resolve("checkpoints/step-00000004")).contains("optimizer.safetensors")
                .contains("resumed from " + cut.resolve("checkpoints/step-00000002") + " at step 2");
        List<String> compared = new ArrayList<>();
        try (Stream<Path> s = Files.list(whole.resolve(output))) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                assertThat(java.util.Arrays.equals(Files.readAllBytes(cut.resolve(output).resolve(f.getFileName())), Files.readAllBytes(f)))
                        .as(name + ": " + f.getFileName() + " of the resumed run is bitwise that of the run done in one go").isTrue();
                compared.add(f.getFileName().toString());
            }
        }
        assertThat(losses(cut)).as(name + ": per-step losses").isEqualTo(losses(whole)).hasSize(5);
        return compared;
    }

    private static List<String> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(l -> l.replaceAll("\"tokens_per_s\":[^,}]*", "")).toList();
    }

    @Test
    void sftFullAndLoraWithDropoutResumeBitwise() throws IOException {
        assertThat(assertResumesBitwise("sft", "sft", sftData, "model")).contains("model.safetensors");
        assertThat(assertResumesBitwise("sft-lora", "sft", sftData, "adapter", "--lora-rank", "2", "--lora-dropout", "0.2"))
                .containsExactly("adapter_model.safetensors");
    }

    @Test
    void rewardModelFullAndLoraResumeBitwise() throws IOException {
        assertThat(assertResumesBitwise("rm", "rm", pairs, "model")).containsExactly("model.safetensors", "reward_head.safetensors");
        assertThat(assertResumesBitwise("rm-lora", "rm", pairs, "adapter", "--lora-rank", "2", "--lora-targets", "query,dense"))
                .containsExactly("adapter_model.safetensors", "reward_head.safetensors");
    }

    @Test
    void dpoFullAndLoraResumeBitwise() throws IOException {
        assertThat(assertResumesBitwise("dpo", "dpo", pairs, "model")).containsExactly("model.safetensors");
        assertThat(assertResumesBitwise("dpo-lora", "dpo", pairs, "adapter", "--lora-rank", "2", "--lora-dropout", "0.1"))
                .containsExactly("adapter_model.safetensors");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else if (!p.getFileName().toString().equals(".lock")) Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        PostTrainFlags.deleteTree(p);
    }
}
