package wanka.train.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.TeleChat2Config;
import wanka.train.AssembledCheckpoint;
import wanka.train.CheckpointLayout;
import wanka.train.Checkpoints;
import wanka.train.RankShard;
import wanka.train.ShardTensor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The level-3 object store against a real S3-compatible server (s3proxy, filesystem backend, on 127.0.0.1): a shard
 * above the part size goes up as a multipart upload, a checkpoint exists only once its manifest does, a fetched
 * checkpoint verifies and assembles, a committed checkpoint is never replaced, retention prunes, and a store that went
 * away gives an error naming it after the retries.
 */
class S3StoreTest {
    @TempDir
    static Path dir;
    static LocalS3 s3;
    static final TeleChat2Config CONFIG = TeleChat2Config.of(64, 32, 1, 2, 2, 64, 16);

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** Rank {@code rank} of 2 (dp2, ZeRO-1 style): rank 0 the weights, each half of the moments; optionally a 12 MB extra. */
    static RankShard shard(int rank, long step) {
        List<ShardTensor> t = new ArrayList<>();
        List<float[]> a = new ArrayList<>();
        Random r = new Random(step * 10 + rank);
        for (var w : wanka.model.io.WeightNames.expected(CONFIG)) {
            int[] shape = java.util.Arrays.stream(w.shape()).mapToInt(x -> (int) x).toArray();
            int n = java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y), half = n / 2;
            if (rank == 0) {
                t.add(new ShardTensor(w.name(), ShardTensor.Kind.PARAM, shape, -1, 0, 1, 0, n));
                a.add(random(r, n));
            }
            int from = rank == 0 ? 0 : half, to = rank == 0 ? half : n;
            t.add(new ShardTensor(w.name(), ShardTensor.Kind.EXP_AVG, shape, -1, 0, 1, from, to));
            a.add(random(r, to - from));
            t.add(new ShardTensor(w.name(), ShardTensor.Kind.EXP_AVG_SQ, shape, -1, 0, 1, from, to));
            a.add(random(r, to - from));
        }
        return new RankShard(rank, step, t, a);
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat();
        return a;
    }

    static Checkpoints.State state(long step) {
        return new Checkpoints.State(step, 1, 0, 0, "cosine", 1e-3, 10, 0, 4, 16, 1);
    }

    static void save(CheckpointStore store, long step) throws Exception {
        store.writeShard(shard(1, step));
        store.writeShard(shard(0, step));
        store.commit(step, new CheckpointLayout(1, 2, 1, 1, true), state(step), CONFIG, Duration.ofSeconds(10));
    }

    @Test
    void multipartUploadCommitFetchAndVerify() throws Exception {
        S3Store store = s3.store("run-a").withPartSize(S3Store.MIN_PART);
        // A rank whose shard is above the part size: 3.2 M floats, 12.8 MB, three parts.
        List<ShardTensor> big = List.of(new ShardTensor("big", ShardTensor.Kind.PARAM, new int[]{3_200_000}, -1, 0, 1, 0, 3_200_000));
        store.writeShard(new RankShard(7, 1, big, List.of(random(new Random(1), 3_200_000))));
        assertThat(store.multipartUploads().get()).isEqualTo(1);
        assertThat(store.committedSteps()).as("uploaded but not committed").isEmpty();

        save(store, 2);
        assertThat(store.committedSteps()).containsExactly(2L);
        AssembledCheckpoint c = AssembledCheckpoint.read(store.fetch(2, dir.resolve("fetched")), CONFIG);
        assertThat(c.verified()).isTrue();
        assertThat(c.layout()).isEqualTo(new CheckpointLayout(1, 2, 1, 1, true));
        RankShard r0 = shard(0, 2);
        assertThat(c.params().get(r0.tensors().getFirst().name())).isEqualTo(r0.arrays().getFirst());

        assertThatThrownBy(() -> store.commit(2, new CheckpointLayout(1, 2, 1, 1, true), state(2), CONFIG, Duration.ofSeconds(1)))
                .hasMessageContaining("s3://checkpoints/run-a").hasMessageContaining("already committed").hasMessageContaining("not overwritten");
        save(store, 4);
        save(store, 6);
        assertThat(store.prune(2)).hasSize(1);
        assertThat(store.committedSteps()).containsExactly(6L, 4L);
    }

    @Test
    void aStoreThatWentAwayIsNamedAfterTheRetries() throws Exception {
        try (LocalS3 gone = LocalS3.start(dir.resolve("s3-gone"))) {
            S3Store store = gone.store("run-b");
            save(store, 1);
            gone.stop();
            long t0 = System.nanoTime();
            assertThatThrownBy(store::committedSteps).hasMessageContaining("s3://checkpoints/run-b at " + gone.endpoint())
                    .hasMessageContaining("failed after 3 attempts");
            assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(150); // 50 + 100 ms of back-off
            assertThatThrownBy(() -> store.writeShard(shard(0, 2))).hasMessageContaining("s3://checkpoints/run-b");
        }
    }
}
