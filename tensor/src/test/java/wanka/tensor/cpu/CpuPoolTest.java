package wanka.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CpuPoolTest {

    @Test
    void everyIndexRunsOnceAndTheCallerRunsTheFirstRange() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (CpuPool pool = CpuPool.ofThreads(threads)) {
                for (int n : new int[] {1, 2, 7, 64, 1000}) {
                    for (int grain : new int[] {1, 3, 16}) {
                        AtomicIntegerArray seen = new AtomicIntegerArray(n);
                        ConcurrentHashMap<Integer, Thread> runner = new ConcurrentHashMap<>();
                        pool.parallelFor(n, grain, (from, to) -> {
                            runner.put(from, Thread.currentThread());
                            for (int i = from; i < to; i++) seen.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n);
                        assertSame(Thread.currentThread(), runner.get(0), "the caller runs range 0");
                        int parts = Math.min(threads, (n + grain - 1) / grain);
                        assertEquals(parts, runner.size(), "ranges for n=" + n + " grain=" + grain + " threads=" + threads);
                    }
                }
            }
        }
    }

    @Test
    void aFailingRangeReachesTheCaller() {
        try (CpuPool pool = CpuPool.ofThreads(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(10, (from, to) -> {
                if (from > 0) throw new IllegalStateException("range " + from);
            }));
            assertTrue(e.getMessage().contains("range 5") || String.valueOf(e.getCause()).contains("range 5"), e.toString());
            IllegalArgumentException own = assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(10, (from, to) -> {
                if (from == 0) throw new IllegalArgumentException("caller's range");
            }));
            assertEquals("caller's range", own.getMessage());
        }
    }
}
