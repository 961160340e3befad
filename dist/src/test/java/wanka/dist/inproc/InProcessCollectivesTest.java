package wanka.dist.inproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wanka.dist.Ranks.floats;
import static wanka.dist.Ranks.input;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wanka.dist.ProcessGroup;
import wanka.dist.Ranks;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

/** Every collective on 1, 2, 3, 4 and 8 in-process ranks against a plain reference computed here. */
class InProcessCollectivesTest {
    /** Sizes: tiny, odd, and large enough for the worker threads (several tasks). */
    private static final int[] SIZES = {1, 7, 1000, 100_003};

    /** The reference: element-wise sum in rank order, in float arithmetic. */
    private static float[] sumInRankOrder(int n, int size, long seed) {
        float[] want = input(0, size, seed);
        for (int r = 1; r < n; r++) {
            float[] x = input(r, size, seed);
            for (int i = 0; i < size; i++) {
                want[i] += x[i];
            }
        }
        return want;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void allReduceSumsFloatsInRankOrder(int n) {
        for (int size : SIZES) {
            float[] want = sumInRankOrder(n, size, size);
            try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
                List<float[]> got = Ranks.run(w, g -> {
                    MemorySegment buf = floats(arena, input(g.rank(), size, size));
                    g.allReduce(Span.floats(buf));
                    return floats(buf);
                });
                for (float[] f : got) {
                    assertThat(f).as("n=%d size=%d", n, size).isEqualTo(want);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void allReduceDoublesLongsAndMax(int n) {
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            Ranks.run(w, g -> {
                int r = g.rank();
                MemorySegment d = arena.allocate(8 * 3);
                MemorySegment l = arena.allocate(8 * 3);
                MemorySegment m = arena.allocate(4 * 2);
                for (int i = 0; i < 3; i++) {
                    d.setAtIndex(ValueLayout.JAVA_DOUBLE, i, 0.1 * (r + 1) + i);
                    l.setAtIndex(ValueLayout.JAVA_LONG, i, (1L << 40) * (r + 1) + i);
                }
                m.setAtIndex(ValueLayout.JAVA_FLOAT, 0, r == n - 1 ? Float.POSITIVE_INFINITY : r);
                m.setAtIndex(ValueLayout.JAVA_FLOAT, 1, -r);
                g.allReduce(Span.doubles(d));
                g.allReduce(Span.longs(l));
                g.allReduce(Span.floats(m), ReduceOp.MAX);
                for (int i = 0; i < 3; i++) {
                    double want = 0;
                    long wantL = 0;
                    for (int k = 0; k < n; k++) {
                        want += 0.1 * (k + 1) + i;
                        wantL += (1L << 40) * (k + 1) + i;
                    }
                    assertThat(d.getAtIndex(ValueLayout.JAVA_DOUBLE, i)).isEqualTo(want);
                    assertThat(l.getAtIndex(ValueLayout.JAVA_LONG, i)).isEqualTo(wantL);
                }
                assertThat(m.getAtIndex(ValueLayout.JAVA_FLOAT, 0)).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(m.getAtIndex(ValueLayout.JAVA_FLOAT, 1)).isEqualTo(0f);
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void allReduceOfAViewLeavesTheRestAlone(int n) {
        int size = 50, from = 10, count = 25;
        float[] want = sumInRankOrder(n, size, 5);
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            List<float[]> got = Ranks.run(w, g -> {
                MemorySegment buf = floats(arena, input(g.rank(), size, 5));
                g.allReduce(Span.floats(buf, from, count));
                return floats(buf);
            });
            for (int r = 0; r < n; r++) {
                float[] mine = input(r, size, 5);
                for (int i = 0; i < size; i++) {
                    assertThat(got.get(r)[i]).isEqualTo(i >= from && i < from + count ? want[i] : mine[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void reduceScatterLeavesEachRankItsBlockOfTheSum(int n) {
        for (int block : new int[] {1, 5, 20_000}) {
            float[] sum = sumInRankOrder(n, block * n, block);
            try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
                List<float[]> got = Ranks.run(w, g -> {
                    MemorySegment in = floats(arena, input(g.rank(), block * n, block));
                    MemorySegment out = arena.allocate(4L * block);
                    g.reduceScatter(Span.floats(in), Span.floats(out));
                    return floats(out);
                });
                for (int r = 0; r < n; r++) {
                    assertThat(got.get(r)).isEqualTo(java.util.Arrays.copyOfRange(sum, r * block, (r + 1) * block));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void allGatherConcatenatesInRankOrder(int n) {
        for (int block : new int[] {1, 3, 40_000}) {
            float[] want = new float[block * n];
            for (int r = 0; r < n; r++) {
                System.arraycopy(input(r, block, 9), 0, want, r * block, block);
            }
            try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
                List<float[]> got = Ranks.run(w, g -> {
                    MemorySegment in = floats(arena, input(g.rank(), block, 9));
                    MemorySegment out = arena.allocate(4L * block * n);
                    g.allGather(Span.floats(in), Span.floats(out));
                    return floats(out);
                });
                got.forEach(f -> assertThat(f).isEqualTo(want));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void broadcastCopiesTheRootsBufferFromEveryRoot(int n) {
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            Ranks.run(w, g -> {
                for (int root = 0; root < n; root++) {
                    for (int size : new int[] {3, 70_000}) {
                        MemorySegment buf = floats(arena, input(g.rank(), size, root));
                        g.broadcast(Span.floats(buf), root);
                        assertThat(floats(buf)).isEqualTo(input(root, size, root));
                    }
                }
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void sendAndRecvAroundARingMatchByTag(int n) {
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            Ranks.run(w, g -> {
                int next = (g.rank() + 1) % n, prev = (g.rank() + n - 1) % n;
                MemorySegment a = floats(arena, input(g.rank(), 100, 1));
                MemorySegment b = floats(arena, input(g.rank(), 100, 2));
                MemorySegment gotA = arena.allocate(400), gotB = arena.allocate(400);
                // Sent with tag 1 then 2, received 2 then 1: tags, not order, match them.
                Work sa = g.sendAsync(Span.floats(a), next, 1);
                Work sb = g.sendAsync(Span.floats(b), next, 2);
                g.recv(Span.floats(gotB), prev, 2);
                g.recv(Span.floats(gotA), prev, 1);
                Work.awaitAll(List.of(sa, sb));
                assertThat(floats(gotA)).isEqualTo(input(prev, 100, 1));
                assertThat(floats(gotB)).isEqualTo(input(prev, 100, 2));
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void barrierHoldsEveryRankUntilAllArrive(int n) {
        AtomicInteger arrived = new AtomicInteger();
        try (InProcessWorld w = InProcessWorld.create(n)) {
            List<Integer> seen = Ranks.run(w, g -> {
                sleepMillis(g.rank() * 20L);
                arrived.incrementAndGet();
                g.barrier();
                return arrived.get();
            });
            assertThat(seen).containsOnly(n);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void asyncOperationsOverlapAndFinishOnlyWhenAllRanksJoin(int n) {
        CountDownLatch rank0Issued = new CountDownLatch(1);
        float[][] want = {sumInRankOrder(n, 300, 1), sumInRankOrder(n, 100_000, 2)};
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            Ranks.run(w, g -> {
                MemorySegment flat = arena.allocate(4L * 100_300);
                MemorySegment.copy(floats(arena, input(g.rank(), 300, 1)), 0, flat, 0, 1200);
                MemorySegment.copy(floats(arena, input(g.rank(), 100_000, 2)), 0, flat, 1200, 400_000);
                if (g.rank() != 0) {
                    await(rank0Issued);
                }
                // Two buckets of one flat gradient buffer, reduced in place while this thread goes on.
                Work first = g.allReduceAsync(Span.floats(flat, 0, 300));
                Work second = g.allReduceAsync(Span.floats(flat, 300, 100_000));
                if (g.rank() == 0) {
                    assertThat(first.isDone()).isFalse();
                    assertThat(second.isDone()).isFalse();
                    rank0Issued.countDown();
                }
                second.await();
                first.await();
                assertThat(first.isDone()).isTrue();
                float[] got = floats(flat);
                assertThat(java.util.Arrays.copyOfRange(got, 0, 300)).isEqualTo(want[0]);
                assertThat(java.util.Arrays.copyOfRange(got, 300, 100_300)).isEqualTo(want[1]);
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void manyAsyncCollectivesOfMixedKindsInFlightAtOnce(int n) {
        try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
            Ranks.run(w, g -> {
                List<Work> works = new ArrayList<>();
                List<MemorySegment> bufs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    MemorySegment b = floats(arena, input(g.rank(), 64, i));
                    bufs.add(b);
                    works.add(i % 2 == 0 ? g.allReduceAsync(Span.floats(b)) : g.broadcastAsync(Span.floats(b), i % n));
                }
                Work.awaitAll(works);
                for (int i = 0; i < 20; i++) {
                    float[] want = i % 2 == 0 ? sumInRankOrder(n, 64, i) : input(i % n, 64, i);
                    assertThat(floats(bufs.get(i))).isEqualTo(want);
                }
                return null;
            });
        }
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
