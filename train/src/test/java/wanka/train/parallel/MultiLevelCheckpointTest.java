package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.train.CheckpointWriter;
import wanka.train.store.CheckpointStore;
import wanka.train.store.DirectoryStore;
import wanka.train.store.LocalS3;
import wanka.train.store.StorageLevel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three storage levels (issue 10): level 1 in /dev/shm mirrored to a second area, every step, keeping 2; level 2 the
 * run directory every 2 steps; level 3 a real S3-compatible server (s3proxy on 127.0.0.1) every 3 steps. A dp2 ZeRO-1
 * run stops after step 5; resuming takes step 5 from memory even with one area lost, step 4 from disk when memory is
 * gone, step 3 from the object store when disk is gone too, each time ending bitwise equal to the uninterrupted run;
 * with the object store away, training goes on (the failure named) and resume falls back past it.
 */
class MultiLevelCheckpointTest {
    @TempDir
    static Path dir;
    static TokenShard shard;
    static LocalS3 s3;
    static Path shm;
    static ShardedCheckpointTest.Run whole;
    static final ParallelLayout LAYOUT = ShardedCheckpointTest.layout(1, 2, 1, 2, true);

    @BeforeAll
    static void start() throws Exception {
        shard = TokenShard.open(ParallelTrainingTest.writeShard(dir));
        s3 = LocalS3.start(dir.resolve("s3"));
        Path devShm = Path.of("/dev/shm");
        shm = Files.isDirectory(devShm) && Files.isWritable(devShm) ? Files.createTempDirectory(devShm, "wanka-l1-test-") : dir.resolve("shm");
        whole = ShardedCheckpointTest.train(shard, LAYOUT, dir.resolve("whole"), CheckpointWriter.Policy.NONE, false, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        shard.close();
        delete(shm);
    }

    static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    record Levels(Path memory, Path mirror, CheckpointStore objects, CheckpointWriter.Policy policy) {
    }

    static Levels levels(String name) {
        Path memory = shm.resolve(name + "/primary"), mirror = shm.resolve(name + "/mirror");
        CheckpointStore objects = s3.store(name);
        var policy = CheckpointWriter.Policy.every(2, 0, true).withLevels(List.of(
                new StorageLevel(1, "memory", DirectoryStore.mirrored(memory, mirror), 1, 2),
                new StorageLevel(3, "object store", objects, 3, 0)));
        return new Levels(memory, mirror, objects, policy);
    }

    static ShardedCheckpointTest.Run stopAndResume(String name, Levels l, Runnable lose) throws IOException {
        Path out = dir.resolve(name);
        ShardedCheckpointTest.train(shard, LAYOUT, out, l.policy(), false, 5);
        assertThat(DirectoryStore.at(l.memory()).committedSteps()).containsExactly(5L, 4L);
        assertThat(DirectoryStore.ofRun(out).committedSteps()).containsExactly(4L, 2L);
        assertThat(l.objects().committedSteps()).containsExactly(3L);
        lose.run();
        var r = ShardedCheckpointTest.train(shard, LAYOUT, out, l.policy(), true, 0);
        ShardedCheckpointTest.assertBitwiseEqual(r.weights(), whole.weights());
        return r;
    }

    @Test
    void resumesFromMemoryEvenWithOneAreaLost() throws IOException {
        Levels l = levels("memory");
        var r = stopAndResume("memory", l, () -> uncheck(() -> delete(l.memory().resolve("step-00000005/rank-00001"))));
        assertThat(r.log()).anyMatch(s -> s.contains("resumed from " + l.mirror().resolve("step-00000005")));
    }

    @Test
    void fallsBackToDiskThenToTheObjectStore() throws IOException {
        Levels a = levels("disk");
        var r = stopAndResume("disk", a, () -> uncheck(() -> delete(shm.resolve("disk"))));
        assertThat(r.log()).anyMatch(s -> s.contains("resumed from " + dir.resolve("disk/checkpoints/step-00000004")));

        Levels b = levels("objects");
        var r2 = stopAndResume("objects", b, () -> uncheck(() -> {
            delete(shm.resolve("objects"));
            delete(dir.resolve("objects/checkpoints"));
        }));
        assertThat(r2.log()).anyMatch(s -> s.contains("resumed from") && s.contains(".fetched") && s.contains("step-00000003"));
    }

    @Test
    void anObjectStoreThatWentAwayIsNamedAndPassedOver() throws Exception {
        try (LocalS3 gone = LocalS3.start(dir.resolve("s3-gone"))) {
            CheckpointStore objects = gone.store("away");
            Path memory = shm.resolve("away/primary");
            var policy = CheckpointWriter.Policy.every(2, 0, false).withLevels(List.of(
                    new StorageLevel(1, "memory", DirectoryStore.at(memory), 1, 2), new StorageLevel(3, "object store", objects, 3, 0)));
            gone.stop();
            Path out = dir.resolve("away");
            var first = ShardedCheckpointTest.train(shard, LAYOUT, out, policy, false, 5);
            assertThat(first.log()).anyMatch(s -> s.contains("not saved to level 3 (object store: s3://checkpoints/away at " + gone.endpoint()));
            var r = ShardedCheckpointTest.train(shard, LAYOUT, out, policy, true, 0);
            assertThat(r.log()).anyMatch(s -> s.contains("skipping level 3 (object store: s3://checkpoints/away"));
            assertThat(r.log()).anyMatch(s -> s.contains("resumed from " + memory.resolve("step-00000005")));
            ShardedCheckpointTest.assertBitwiseEqual(r.weights(), whole.weights());
        }
    }

    /**
     * Rank 1 cannot write its level-3 shard of step 3 and cannot leave its failure marker either (as when the store went
     * away under it): the ranks agree that the shard is missing, so rank 0 does not wait out its 10-minute commit timeout
     * for it; step 3 is not committed there, step 6 is, and training is unaffected.
     */
    @Test
    void aShardThatCannotBeWrittenNorMarkedFailedDoesNotHoldTheCommit() throws Exception {
        Path shared = dir.resolve("half-away"), staging = shared.resolve("step-00000003.partial");
        Files.createDirectories(staging.resolve("rank-00001.failed").resolve("x")); // the marker cannot be written: a directory is in its place
        Files.writeString(staging.resolve("rank-00001"), "not a directory"); // nor the shard
        var policy = CheckpointWriter.Policy.every(0, 0, true).withCommitTimeout(java.time.Duration.ofMinutes(10))
                .withLevels(List.of(new StorageLevel(3, "shared", DirectoryStore.at(shared), 3, 0)));
        long t0 = System.nanoTime();
        var r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(3),
                () -> ShardedCheckpointTest.train(shard, LAYOUT, dir.resolve("half-away-run"), policy, false, 0));
        assertThat(r.log()).anyMatch(s -> s.contains("rank 1: checkpoint of step 3 not saved to level 3 (shared"));
        assertThat(r.log()).anyMatch(s -> s.contains("checkpoint of step 3 not committed to level 3 (shared") && s.contains("1 rank(s) could not write their shards"));
        assertThat(DirectoryStore.at(shared).committedSteps()).containsExactly(6L);
        ShardedCheckpointTest.assertBitwiseEqual(r.weights(), whole.weights());
        System.out.printf("a level-3 shard neither written nor marked failed: not committed, no wait (run took %.1f s against a 10-minute commit timeout)%n", (System.nanoTime() - t0) / 1e9);
    }

    interface IoAction {
        void run() throws IOException;
    }

    static void uncheck(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
