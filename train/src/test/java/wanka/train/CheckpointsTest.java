package wanka.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpoint manifests, verification on resume, falling back past broken checkpoints, and failed saves (issue 7). */
class CheckpointsTest {

    /** Runs {@code action} with a fresh trainer of TrainerTest's model and data training up to {@code steps} into {@code out}. */
    interface WithTrainer {
        void accept(Trainer t) throws IOException;
    }

    static void withTrainer(Path data, Path out, long steps, WithTrainer action) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(1); TokenShard s = TokenShard.open(data)) {
            TrainOptions o = TrainerTest.options(out, steps, 0);
            action.accept(new Trainer(TeleChat2.initialize(TrainerTest.CONFIG, dev, 42), dev, new PackedBatches(List.of(s), o.batch(), o.seq(), o.seed()), o, 0));
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    @Test
    void theManifestListsEveryFileWithItsSizeAndCrc32c(@TempDir Path dir) throws IOException {
        TrainerTest.train(TrainerTest.shard(dir), dir.resolve("run"), 2, 0, null);
        Path ckpt = dir.resolve("run/checkpoints/step-00000002");
        JsonNode json = new ObjectMapper().readTree(ckpt.resolve("manifest.json").toFile());
        assertThat(json.get("format").asInt()).isEqualTo(2);
        assertThat(json.get("layout").get("dp").asInt()).isEqualTo(1);
        assertThat(json.get("state").get("step").asLong()).isEqualTo(2);
        assertThat(json.get("step").asLong()).isEqualTo(2);
        List<String> listed = new ArrayList<>();
        for (JsonNode f : json.get("files")) {
            Path p = ckpt.resolve(f.get("path").asText());
            listed.add(f.get("path").asText());
            byte[] bytes = Files.readAllBytes(p);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertThat(f.get("bytes").asLong()).as(p.toString()).isEqualTo(bytes.length);
            assertThat(f.get("crc32c").asLong()).as(p.toString()).isEqualTo(crc.getValue());
        }
        try (Stream<String> s = Files.list(ckpt).map(p -> p.getFileName().toString()).filter(n -> !n.equals("manifest.json"))) {
            assertThat(listed).containsExactlyInAnyOrderElementsOf(s.toList()).contains("model.safetensors", "optimizer.safetensors", "trainer_state.json");
        }
        assertThat(dir.resolve("run/checkpoints")).isDirectoryNotContaining("glob:**.partial");
    }

    @Test
    void aDamagedCheckpointIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path data = TrainerTest.shard(dir);
        TrainerTest.train(data, dir.resolve("run"), 2, 0, null);
        Path good = dir.resolve("run/checkpoints/step-00000002");
        Path flipped = dir.resolve("flipped"), truncated = dir.resolve("truncated"), missing = dir.resolve("missing");
        for (Path p : List.of(flipped, truncated, missing)) copyTree(good, p);
        byte[] w = Files.readAllBytes(flipped.resolve("model.safetensors"));
        w[w.length - 7] ^= 1;
        Files.write(flipped.resolve("model.safetensors"), w);
        byte[] o = Files.readAllBytes(truncated.resolve("optimizer.safetensors"));
        Files.write(truncated.resolve("optimizer.safetensors"), Arrays.copyOf(o, o.length - 1));
        Files.delete(missing.resolve("trainer_state.json"));

        withTrainer(data, dir.resolve("resumed"), 4, t -> {
            assertThatThrownBy(() -> t.resumeFrom(flipped)).isInstanceOf(IOException.class)
                    .hasMessageContaining(flipped.resolve("model.safetensors").toString()).hasMessageContaining("CRC-32C");
            assertThatThrownBy(() -> t.resumeFrom(truncated)).isInstanceOf(IOException.class)
                    .hasMessageContaining(truncated.resolve("optimizer.safetensors").toString()).hasMessageContaining((o.length - 1) + " bytes");
            assertThatThrownBy(() -> t.resumeFrom(missing)).isInstanceOf(IOException.class)
                    .hasMessageContaining(missing.resolve("trainer_state.json").toString()).hasMessageContaining("missing");
            assertThat(t.step()).isZero();
            List<String> log = new ArrayList<>();
            assertThat(t.resumeFrom(good, log::add)).isEqualTo(new Trainer.Resumed(good, 2, true));
            assertThat(log).isEmpty();
        });
    }

    @Test
    void autoResumeSkipsBrokenCheckpointsAndContinuesFromTheNewestThatVerifies(@TempDir Path dir) throws IOException {
        Path data = TrainerTest.shard(dir);
        TrainerTest.Run full = TrainerTest.train(data, dir.resolve("full"), 6, 0, null);
        Path out = dir.resolve("run");
        TrainerTest.train(data, out, 4, 2, null);
        Path step4 = out.resolve("checkpoints/step-00000004");
        byte[] w = Files.readAllBytes(step4.resolve("model.safetensors"));
        Files.write(step4.resolve("model.safetensors"), Arrays.copyOf(w, w.length / 2));

        List<String> log = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        withTrainer(data, out, 6, t -> {
            assertThat(t.resumeLatest(log::add)).contains(new Trainer.Resumed(out.resolve("checkpoints/step-00000002"), 2, true));
            t.run(m -> losses.add(m.loss()));
        });
        assertThat(log).singleElement().asString().startsWith("skipping " + step4 + ": ").contains("model.safetensors");
        assertThat(losses).containsExactlyElementsOf(full.losses().subList(2, 6));

        // Every checkpoint broken: an error, not a silent restart from step 0.
        for (Path ckpt : new Checkpoints(out).newestFirst()) Files.delete(ckpt.resolve("optimizer.safetensors"));
        withTrainer(data, out, 8, t -> assertThatThrownBy(() -> t.resumeLatest(line -> {
        })).hasMessageContaining("none of the 3 checkpoint(s) in " + out.resolve("checkpoints")));
        // No checkpoint at all: nothing to resume, start at step 0.
        withTrainer(data, dir.resolve("empty"), 2, t -> assertThat(t.resumeLatest(log::add)).isEmpty());
    }

    @Test
    void aCheckpointWithoutManifestLoadsWithAWarning(@TempDir Path dir) throws IOException {
        Path data = TrainerTest.shard(dir);
        TrainerTest.train(data, dir.resolve("run"), 2, 0, null);
        Path ckpt = dir.resolve("run/checkpoints/step-00000002");
        Files.delete(ckpt.resolve("manifest.json"));
        List<String> log = new ArrayList<>();
        withTrainer(data, dir.resolve("resumed"), 3, t -> assertThat(t.resumeFrom(ckpt, log::add).verified()).isFalse());
        assertThat(log).singleElement().asString().contains(ckpt.toString()).contains("cannot be verified");
    }

    @Test
    void aTruncatedTrainerStateNamesTheFile(@TempDir Path dir) throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("step-00000001"));
        Files.writeString(ckpt.resolve("trainer_state.json"), "{\"step\" : 1, \"seed\" : 4");
        assertThatThrownBy(() -> Checkpoints.readState(ckpt)).isInstanceOf(IOException.class).hasMessageStartingWith(ckpt.resolve("trainer_state.json") + ": ");
    }

    @Test
    void resumingAtOrPastTheLastStepIsRefused(@TempDir Path dir) throws IOException {
        Path data = TrainerTest.shard(dir);
        TrainerTest.train(data, dir.resolve("run"), 2, 0, null);
        Path ckpt = dir.resolve("run/checkpoints/step-00000002");
        for (long steps : new long[]{1, 2}) {
            withTrainer(data, dir.resolve("again"), steps, t -> assertThatThrownBy(() -> t.resumeFrom(ckpt)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checkpoint is at step 2, --steps " + steps + ": nothing to train; raise --steps"));
        }
    }

    @Test
    void aFailedSaveRemovesItsPartialDirectoryAndNamesTheCheckpoint(@TempDir Path dir) throws IOException {
        Checkpoints ckpts = new Checkpoints(dir);
        Path saved = ckpts.save(3, d -> Files.writeString(d.resolve("weights.bin"), "good"));
        // The disk fills up while the same step is saved again (as a resumed run does).
        assertThatThrownBy(() -> ckpts.save(3, d -> {
            Files.writeString(d.resolve("weights.bin"), "half");
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class).hasMessage("could not save checkpoint " + saved + ": No space left on device");
        try (Stream<Path> s = Files.list(ckpts.root())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("step-00000003");
        }
        assertThat(Files.readString(saved.resolve("weights.bin"))).as("the earlier checkpoint survives").isEqualTo("good");
        assertThat(Checkpoints.verify(saved)).isTrue();
        // An unchecked failure inside a writer leaves nothing behind either.
        assertThatThrownBy(() -> ckpts.save(4, d -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(ckpts.root().resolve("step-00000004.partial")).doesNotExist();
    }
}
