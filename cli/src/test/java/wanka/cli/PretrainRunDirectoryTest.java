package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShardWriter;
import wanka.train.RunDirectory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wanka pretrain} protects its run directory and its checkpoints (issue 7). */
class PretrainRunDirectoryTest {

    /** What a command returned, printed through picocli's error writer and printed on System.err. */
    record Outcome(int code, String err, String log) {
        String all() {
            return err + log;
        }
    }

    static Path shard(Path dir) throws IOException {
        Path p = dir.resolve("train.tokens");
        Random r = new Random(1);
        try (TokenShardWriter w = new TokenShardWriter(p, 100, 2)) {
            for (int d = 0; d < 60; d++) {
                int[] doc = new int[20];
                for (int i = 0; i < doc.length; i++) doc[i] = 3 + r.nextInt(97);
                w.addDocument(doc);
            }
        }
        return p;
    }

    static Outcome pretrain(Path shard, Path out, String... more) {
        String[] common = {"pretrain", "--preset", "nano", "--vocab-size", "100", "--data", shard.toString(), "--out", out.toString(),
                "--batch", "2", "--seq", "16", "--threads", "1", "--quiet"};
        String[] args = java.util.Arrays.copyOf(common, common.length + more.length);
        System.arraycopy(more, 0, args, common.length, more.length);
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            CliTest.Outcome o = CliTest.run(args);
            return new Outcome(o.code(), o.err(), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static java.util.List<String> checkpoints(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSecondRunIntoAnExistingRunIsRefusedUnlessResumedOrOverwritten(@TempDir Path dir) throws IOException {
        Path data = shard(dir), out = dir.resolve("run");
        Outcome first = pretrain(data, out, "--steps", "2", "--checkpoint-every", "1");
        assertThat(first.code()).as(first.all()).isZero();

        Outcome again = pretrain(data, out, "--steps", "3");
        assertThat(again.code()).as(again.all()).isEqualTo(1);
        assertThat(again.err()).contains(out.toString()).contains("--resume").contains("--overwrite").hasLineCount(1);
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).as("the first run's metrics are untouched").hasSize(2);

        Outcome over = pretrain(data, out, "--steps", "1", "--overwrite");
        assertThat(over.code()).as(over.all()).isZero();
        assertThat(over.log()).contains("removed").contains("checkpoints").contains(out.toString());
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(1);
        assertThat(checkpoints(out)).containsExactly("step-00000001");

        Outcome both = pretrain(data, out, "--steps", "2", "--overwrite", "--resume", "auto");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("--resume").contains("--overwrite");

        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Outcome onFile = pretrain(data, file, "--steps", "1");
        assertThat(onFile.code()).isEqualTo(1);
        assertThat(onFile.err()).contains(file.toString()).contains("is a file, not a directory").hasLineCount(1);
    }

    @Test
    void aRunDirectoryInUseIsRefusedNamingItAndTheHoldersPid(@TempDir Path dir) throws IOException {
        Path data = shard(dir), out = dir.resolve("run");
        try (RunDirectory held = RunDirectory.open(out, RunDirectory.Start.FRESH, line -> {
        })) {
            Outcome o = pretrain(data, out, "--steps", "1");
            assertThat(o.code()).as(o.all()).isEqualTo(1);
            assertThat(o.err()).contains(out.toString()).contains("PID " + ProcessHandle.current().pid()).hasLineCount(1);
            assertThat(out.resolve("metrics.jsonl")).doesNotExist();
        }
        Outcome after = pretrain(data, out, "--steps", "1");
        assertThat(after.code()).as(after.all()).isZero();
    }

    @Test
    void aCorruptCheckpointIsAnErrorWhenNamedAndSkippedByAutoResume(@TempDir Path dir) throws IOException {
        Path data = shard(dir), out = dir.resolve("run");
        Outcome first = pretrain(data, out, "--steps", "4", "--checkpoint-every", "2");
        assertThat(first.code()).as(first.all()).isZero();
        Path newest = out.resolve("checkpoints/step-00000004"), weights = newest.resolve("model.safetensors");
        byte[] good = Files.readAllBytes(weights);
        byte[] flipped = good.clone();
        flipped[flipped.length - 100] ^= 0x10; // inside the last tensor's data: still a well-formed file
        Files.write(weights, flipped);

        Outcome named = pretrain(data, out, "--steps", "6", "--resume", newest.toString());
        assertThat(named.code()).as(named.all()).isEqualTo(1);
        assertThat(named.err()).contains(weights.toString()).containsIgnoringCase("CRC-32C").hasLineCount(1);

        Files.write(weights, java.util.Arrays.copyOf(good, good.length / 2)); // truncated, as by a crash or a full disk
        Outcome auto = pretrain(data, out, "--steps", "6", "--checkpoint-every", "2", "--resume", "auto");
        assertThat(auto.code()).as(auto.all()).isZero();
        assertThat(auto.log()).contains("skipping " + newest).contains("model.safetensors")
                .contains("resumed from " + out.resolve("checkpoints/step-00000002") + " at step 2");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(6);
        assertThat(Files.size(weights)).as("step 4 was written again").isEqualTo(good.length);
    }

    @Test
    void resumingWithNoStepsLeftIsAnError(@TempDir Path dir) throws IOException {
        Path data = shard(dir), out = dir.resolve("run");
        assertThat(pretrain(data, out, "--steps", "2").code()).isZero();
        Outcome o = pretrain(data, out, "--steps", "2", "--resume", "auto");
        assertThat(o.code()).as(o.all()).isEqualTo(1);
        assertThat(o.err()).contains("checkpoint is at step 2, --steps 2: nothing to train; raise --steps").hasLineCount(1);
        assertThat(o.log()).doesNotContain("final loss");
    }

    @Test
    void aTruncatedTrainerStateNamesTheFile(@TempDir Path dir) throws IOException {
        Path data = shard(dir), out = dir.resolve("run");
        assertThat(pretrain(data, out, "--steps", "2").code()).isZero();
        Path ckpt = out.resolve("checkpoints/step-00000002"), state = ckpt.resolve("trainer_state.json");
        String json = Files.readString(state);
        Files.writeString(state, json.substring(0, json.length() / 2));
        Outcome o = pretrain(data, out, "--steps", "4", "--resume", ckpt.toString());
        assertThat(o.code()).as(o.all()).isEqualTo(1);
        assertThat(o.err()).contains(state.toString()).hasLineCount(1);
        // A checkpoint of an older version (no manifest.json) fails on the JSON itself, still naming the file.
        Files.deleteIfExists(ckpt.resolve("manifest.json"));
        Outcome old = pretrain(data, out, "--steps", "4", "--resume", ckpt.toString());
        assertThat(old.code()).as(old.all()).isEqualTo(1);
        assertThat(old.err()).contains(state.toString()).hasLineCount(1);
    }
}
