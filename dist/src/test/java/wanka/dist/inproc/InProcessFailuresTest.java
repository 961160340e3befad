package wanka.dist.inproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import wanka.dist.DistException;
import wanka.dist.DistTimeoutException;
import wanka.dist.Ranks;
import wanka.dist.Span;
import wanka.dist.Work;

/** Timeouts that name the missing ranks, mismatched calls, bad arguments, a closed world. */
class InProcessFailuresTest {
    @Test
    void collectiveTimeoutNamesTheRanksThatHaveNotArrived() {
        try (InProcessWorld w = InProcessWorld.create(4, Duration.ofMillis(300)); Arena arena = Arena.ofShared()) {
            List<Throwable> errors = Ranks.run(w, g -> {
                if (g.rank() == 2 || g.rank() == 3) {
                    return null; // these never join
                }
                MemorySegment buf = arena.allocate(4 * 8);
                try {
                    g.allReduce(Span.floats(buf));
                    return null;
                } catch (DistTimeoutException e) {
                    return e;
                }
            });
            for (int r = 0; r < 2; r++) {
                DistTimeoutException e = (DistTimeoutException) errors.get(r);
                assertThat(e.missing()).containsExactly(2, 3);
                assertThat(e).hasMessageContaining("allReduce(float x 8, SUM) #0 in group 'world' (rank " + r + " of 4)")
                        .hasMessageContaining("timed out after 300 ms")
                        .hasMessageContaining("ranks [2, 3] (world [2, 3]) have not arrived");
            }
        }
    }

    @Test
    void subGroupTimeoutNamesGroupRanksAndWorldRanks() {
        // split() is itself a collective of all four ranks: 2 s keeps it from timing out on a loaded machine
        try (InProcessWorld w = InProcessWorld.create(4, Duration.ofSeconds(2))) {
            List<Throwable> errors = Ranks.run(w, g -> {
                var odd = g.split(g.rank() % 2, 0, "odd-even");
                if (g.rank() == 3) {
                    return null;
                }
                try {
                    odd.barrier();
                    return null;
                } catch (DistTimeoutException e) {
                    return e;
                }
            });
            assertThat(errors.get(0)).isNull();
            assertThat(errors.get(2)).isNull();
            assertThat(errors.get(1)).hasMessageContaining("barrier() #0 in group 'odd-even' (rank 0 of 2)")
                    .hasMessageContaining("rank [1] (world [3]) has not arrived");
        }
    }

    @Test
    void recvTimeoutNamesTheSilentSender() {
        try (InProcessWorld w = InProcessWorld.create(2, Duration.ofMillis(200)); Arena arena = Arena.ofShared()) {
            var g = w.group(0);
            assertThatThrownBy(() -> g.recv(Span.floats(arena.allocate(4)), 1, 7))
                    .isInstanceOf(DistTimeoutException.class)
                    .hasMessageContaining("recv from rank 1 (tag 7) in group 'world' (rank 0 of 2) timed out after 200 ms")
                    .hasMessageContaining("rank 1 (world 1) has not posted the matching send");
            assertThatThrownBy(() -> g.send(Span.floats(arena.allocate(4)), 1, 3))
                    .isInstanceOf(DistTimeoutException.class)
                    .hasMessageContaining("rank 1 (world 1) has not posted the matching recv");
        }
    }

    @Test
    void mismatchedCollectivesFailOnEveryRankNamingBothCalls() {
        try (InProcessWorld w = InProcessWorld.create(2, Duration.ofSeconds(5)); Arena arena = Arena.ofShared()) {
            List<Throwable> errors = Ranks.run(w, g -> {
                try {
                    g.allReduce(Span.floats(arena.allocate(4L * (4 + g.rank()))));
                    return null;
                } catch (DistException e) {
                    return e;
                }
            });
            for (Throwable e : errors) {
                assertThat(e).hasMessageContaining("mismatched")
                        .hasMessageContaining("allReduce(float x 4, SUM)")
                        .hasMessageContaining("allReduce(float x 5, SUM)");
            }
        }
    }

    @Test
    void messageOfTheWrongSizeFailsBothSides() {
        try (InProcessWorld w = InProcessWorld.create(2, Duration.ofSeconds(5)); Arena arena = Arena.ofShared()) {
            List<Throwable> errors = Ranks.run(w, g -> {
                try {
                    if (g.rank() == 0) {
                        g.send(Span.floats(arena.allocate(12)), 1, 0);
                    } else {
                        g.recv(Span.floats(arena.allocate(16)), 0, 0);
                    }
                    return null;
                } catch (DistException e) {
                    return e;
                }
            });
            errors.forEach(e -> assertThat(e).hasMessageContaining("sent float x 3, receive buffer float x 4"));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() {
        try (InProcessWorld w = InProcessWorld.create(2); Arena arena = Arena.ofShared()) {
            var g = w.group(0);
            MemorySegment s = arena.allocate(64);
            assertThatThrownBy(() -> g.reduceScatterAsync(Span.floats(s, 0, 6), Span.floats(s, 6, 4), wanka.dist.ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected size 2 x output 4");
            assertThatThrownBy(() -> g.allGatherAsync(Span.floats(s, 0, 4), Span.floats(s, 2, 8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
            assertThatThrownBy(() -> g.allReduceAsync(Span.bytes(s)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot reduce byte");
            assertThatThrownBy(() -> g.broadcastAsync(Span.floats(s), 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root 2 outside 0..1");
            assertThatThrownBy(() -> g.sendAsync(Span.floats(s), 1, 40_000))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag 40000");
            assertThatThrownBy(() -> Span.floats(s, 10, 7))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside a segment of 64 bytes");
        }
    }

    @Test
    void closingTheWorldFailsWhatIsStillWaiting() {
        InProcessWorld w = InProcessWorld.create(2);
        try (Arena arena = Arena.ofShared()) {
            Work pending = w.group(0).allReduceAsync(Span.floats(arena.allocate(16)));
            w.close();
            assertThatThrownBy(pending::await).isInstanceOf(DistException.class).hasMessageContaining("closed");
        }
    }
}
