package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.train.CheckpointWriter;
import wanka.train.store.DirectoryStore;
import wanka.train.store.HostNaming;
import wanka.train.store.PeerMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Level 1 on peer hosts (issue 10, Gemini): a tp2 × dp2 ZeRO-1 job of four in-process ranks on two simulated hosts
 * ({@code a}: ranks 0, 1; {@code b}: ranks 2, 3), each host with its own level-1 area. Every rank's shard is kept in
 * its host's area and copied over the process group to the rank of the same local index on the other host. After
 * host b is lost (its area gone) the resume gathers b's shards from the copies on a and ends bitwise equal to the
 * uninterrupted run; with both areas gone it falls back to the run directory.
 */
class PeerMemoryCheckpointTest {
    @TempDir
    static Path dir;
    static TokenShard shard;
    static Path shm;
    static ShardedCheckpointTest.Run whole;
    static final ParallelLayout LAYOUT = ShardedCheckpointTest.layout(2, 2, 1, 2, true);

    @BeforeAll
    static void start() throws Exception {
        shard = TokenShard.open(ParallelTrainingTest.writeShard(dir));
        Path devShm = Path.of("/dev/shm");
        shm = Files.isDirectory(devShm) && Files.isWritable(devShm) ? Files.createTempDirectory(devShm, "wanka-peer-test-") : dir.resolve("shm");
        whole = ShardedCheckpointTest.train(shard, LAYOUT, dir.resolve("whole"), CheckpointWriter.Policy.NONE, false, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        shard.close();
        MultiLevelCheckpointTest.delete(shm);
    }

    static CheckpointWriter.Policy policy(String name, List<String> hosts) {
        return CheckpointWriter.Policy.every(2, 0, true)
                .withPeerMemory(new PeerMemory(shm.resolve(name).resolve(PeerMemory.HOST).toString(), HostNaming.simulated(hosts), 1, 2));
    }

    @Test
    void aLostHostsShardsComeBackFromThePeerCopies() throws IOException {
        var policy = policy("lost", List.of("a", "b"));
        Path out = dir.resolve("lost"), a = shm.resolve("lost/a"), b = shm.resolve("lost/b");
        ShardedCheckpointTest.train(shard, LAYOUT, out, policy, false, 5);
        assertThat(DirectoryStore.at(a).committedSteps()).containsExactly(5L, 4L);
        assertThat(DirectoryStore.at(b).committedSteps()).containsExactly(5L, 4L);
        for (String rank : List.of("rank-00000", "rank-00001", "rank-00002", "rank-00003")) { // own shards and the peers' copies
            assertThat(a.resolve("step-00000005").resolve(rank).resolve("shard.json")).exists();
            assertThat(b.resolve("step-00000005").resolve(rank).resolve("shard.json")).exists();
        }
        MultiLevelCheckpointTest.delete(b); // host b is lost
        var r = ShardedCheckpointTest.train(shard, LAYOUT, out, policy, true, 0);
        assertThat(r.log()).anyMatch(s -> s.contains("level 1: step 5 assembled") && s.contains("ranks [0, 1, 2, 3] from host a (peer copies of [2, 3])"));
        assertThat(r.log()).anyMatch(s -> s.contains("resumed from " + out.resolve(".fetched/level1/step-00000005")));
        ShardedCheckpointTest.assertBitwiseEqual(r.weights(), whole.weights());
    }

    @Test
    void theNewestStepWithEveryShardSomewhereIsTakenAndBothHostsLostFallsBackToDisk() throws IOException {
        var policy = policy("both", List.of("a", "b"));
        Path out = dir.resolve("both"), a = shm.resolve("both/a"), b = shm.resolve("both/b");
        ShardedCheckpointTest.train(shard, LAYOUT, out, policy, false, 5);
        // step 5: rank 2's shard damaged on its own host and its copy gone from the peer -> step 4, whole on both hosts
        MultiLevelCheckpointTest.delete(a.resolve("step-00000005/rank-00002"));
        Files.write(b.resolve("step-00000005/rank-00002/shard.safetensors"), new byte[]{1, 2, 3});
        var r = ShardedCheckpointTest.train(shard, LAYOUT, out, policy, true, 0);
        assertThat(r.log()).anyMatch(s -> s.contains(a.resolve("step-00000005/rank-00002") + "/shard.json is missing or does not match its manifest"));
        assertThat(r.log()).anyMatch(s -> s.contains("level 1: step 5 lacks the shards of rank(s) [2] on every host"));
        assertThat(r.log()).anyMatch(s -> s.contains("resumed from " + out.resolve(".fetched/level1/step-00000004")));
        ShardedCheckpointTest.assertBitwiseEqual(r.weights(), whole.weights());

        Path out2 = dir.resolve("both2");
        var policy2 = policy("both2", List.of("a", "b"));
        ShardedCheckpointTest.train(shard, LAYOUT, out2, policy2, false, 5);
        MultiLevelCheckpointTest.delete(shm.resolve("both2"));
        var r2 = ShardedCheckpointTest.train(shard, LAYOUT, out2, policy2, true, 0);
        assertThat(r2.log()).anyMatch(s -> s.contains("resumed from " + out2.resolve("checkpoints/step-00000004")));
        ShardedCheckpointTest.assertBitwiseEqual(r2.weights(), whole.weights());
    }

    @Test
    void oneHostHasNoPeerAndSaysSo() throws IOException {
        var policy = policy("solo", List.of("solo"));
        var r = ShardedCheckpointTest.train(shard, LAYOUT, dir.resolve("solo"), policy, false, 3);
        assertThat(r.log()).anyMatch(s -> s.contains("every rank is on host solo, so there is no peer host to copy to"));
        assertThat(DirectoryStore.at(shm.resolve("solo/solo")).committedSteps()).containsExactly(3L, 2L);
    }

    @Test
    void peersAreTheSameLocalIndexOnTheNextHost() {
        assertThat(wanka.train.store.PeerMemoryLevel.peers(List.of("a", "a", "b", "b"))).containsExactly(2, 3, 0, 1);
        assertThat(wanka.train.store.PeerMemoryLevel.peers(List.of("a", "a", "b", "b", "c", "c"))).containsExactly(2, 3, 4, 5, 0, 1);
        assertThat(wanka.train.store.PeerMemoryLevel.peers(List.of("a", "a", "a", "b"))).containsExactly(3, 3, 3, 0);
        assertThat(wanka.train.store.PeerMemoryLevel.peers(List.of("a", "a"))).containsExactly(-1, -1);
    }
}
