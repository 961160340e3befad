package wanka.dist.inproc;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.dist.Ranks.floats;
import static wanka.dist.Ranks.input;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import wanka.dist.Ranks;
import wanka.dist.Span;
import wanka.dist.Work;

/** The same layout gives bitwise-identical results from run to run and on every rank, whatever the timing. */
class DeterminismTest {
    @Test
    void allReduceAndReduceScatterAreBitwiseReproducibleUnderRandomArrivalOrder() {
        int n = 5, size = 5 * 40_000;
        List<int[]> runs = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            try (InProcessWorld w = InProcessWorld.create(n); Arena arena = Arena.ofShared()) {
                List<int[]> perRank = Ranks.run(w, g -> {
                    MemorySegment a = floats(arena, input(g.rank(), size, 42));
                    MemorySegment b = floats(arena, input(g.rank(), size, 43));
                    MemorySegment rs = arena.allocate(4L * size / n);
                    InProcessCollectivesTest.sleepMillis(ThreadLocalRandom.current().nextInt(20));
                    List<Work> works = new ArrayList<>();
                    for (int bucket = 0; bucket < 4; bucket++) { // uneven buckets of one flat buffer
                        long from = (long) size * bucket * bucket / 16, to = (long) size * (bucket + 1) * (bucket + 1) / 16;
                        works.add(g.allReduceAsync(Span.floats(a, from, to - from)));
                    }
                    InProcessCollectivesTest.sleepMillis(ThreadLocalRandom.current().nextInt(20));
                    g.reduceScatter(Span.floats(b), Span.floats(rs));
                    Work.awaitAll(works);
                    int[] bits = new int[size + size / n];
                    float[] fa = floats(a), frs = floats(rs);
                    for (int i = 0; i < size; i++) {
                        bits[i] = Float.floatToRawIntBits(fa[i]);
                    }
                    for (int i = 0; i < size / n; i++) {
                        bits[size + i] = Float.floatToRawIntBits(frs[i]);
                    }
                    return bits;
                });
                // all-reduce parts agree across ranks
                for (int r = 1; r < n; r++) {
                    assertThat(java.util.Arrays.copyOf(perRank.get(r), size)).isEqualTo(java.util.Arrays.copyOf(perRank.get(0), size));
                }
                int[] all = perRank.stream().flatMapToInt(java.util.Arrays::stream).toArray();
                runs.add(all);
            }
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(2)).isEqualTo(runs.get(0));
        // and the order matters for these inputs, so the check is not vacuous
        float[] forward = input(0, size, 42), backward = input(n - 1, size, 42);
        for (int r = 1; r < n; r++) {
            float[] x = input(r, size, 42), y = input(n - 1 - r, size, 42);
            for (int i = 0; i < size; i++) {
                forward[i] += x[i];
                backward[i] += y[i];
            }
        }
        assertThat(forward).isNotEqualTo(backward);
    }
}
