package wanka.train.parallel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.dist.DistException;
import wanka.dist.inproc.InProcessWorld;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rank that dies or hangs in the middle of a tp2 × dp2 run (in-process ranks, a 3 s timeout): every other rank
 * stops within the timeout, the error names the rank, and no model is written.
 */
class RankFailureTest {
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    @TempDir
    static Path dir;
    static TokenShard shard;

    @BeforeAll
    static void open() throws IOException {
        shard = TokenShard.open(ParallelTrainingTest.writeShard(dir));
    }

    @AfterAll
    static void close() {
        shard.close();
    }

    /** Runs tp2 dp2 with {@code fault} called after each step of each rank; returns the run's output directory. */
    static Path run(String name, Consumer<StepLog> fault) {
        Path out = dir.resolve(name);
        ParallelLayout layout = ParallelTrainingTest.layout(2, 2, 1, 2);
        try (var world = InProcessWorld.create(layout.worldSize(), TIMEOUT)) {
            ParallelRun.run(world, ParallelTrainingTest.job(layout, shard, out), fault);
        }
        return out;
    }

    @Test
    void aRankThatThrowsIsNamedAndNothingIsSaved() {
        long t0 = System.nanoTime();
        Path[] out = {null};
        assertThatThrownBy(() -> out[0] = run("dies", s -> {
            if (s.rank() == 3 && s.step() == 3) throw new IllegalStateException("rank 3 lost its device");
        })).isInstanceOf(DistException.class).hasMessageStartingWith("rank 3 failed").hasMessageContaining("lost its device");
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("a rank that threw: the others stopped after %.1f s (timeout %d s)%n", seconds, TIMEOUT.toSeconds());
        assertThat(dir.resolve("dies/model")).doesNotExist();
    }

    @Test
    void aRankThatHangsIsNamedAndTheOthersStop() {
        CountDownLatch never = new CountDownLatch(1);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> run("hangs", s -> {
            if (s.rank() == 2 && s.step() == 2) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
        })).isInstanceOf(DistException.class).hasMessageContaining("rank [2] did not finish").hasMessageContaining("(world [2])");
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("a hung rank: the run ended after %.1f s (timeout %d s)%n", seconds, TIMEOUT.toSeconds());
        assertThat(seconds).isLessThan(4 * TIMEOUT.toSeconds() + 30);
        assertThat(dir.resolve("hangs/model")).doesNotExist();
    }
}
