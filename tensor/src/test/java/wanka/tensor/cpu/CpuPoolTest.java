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

    @Test
    void aNestedCallRunsInlineOnItsThread() {
        try (CpuPool pool = CpuPool.ofThreads(2)) {
            AtomicIntegerArray seen = new AtomicIntegerArray(40);
            pool.parallelFor(4, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 10;
                    Thread outer = Thread.currentThread();
                    pool.parallelFor(10, (f, t) -> {
                        assertSame(outer, Thread.currentThread(), "a nested region stays on its thread");
                        for (int j = f; j < t; j++) seen.incrementAndGet(base + j);
                    });
                }
            });
            for (int i = 0; i < 40; i++) assertEquals(1, seen.get(i), "index " + i);
        }
    }

    @Test
    void callsFromSeveralThreadsAllComplete() throws Exception {
        try (CpuPool pool = CpuPool.ofThreads(2)) {
            int callers = 4, rounds = 200;
            AtomicIntegerArray sums = new AtomicIntegerArray(callers);
            Thread[] ts = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                int id = c;
                ts[c] = new Thread(() -> {
                    for (int r = 0; r < rounds; r++) pool.parallelFor(100, 7, (from, to) -> sums.addAndGet(id, to - from));
                });
                ts[c].start();
            }
            for (Thread t : ts) t.join(60_000);
            for (int c = 0; c < callers; c++) assertEquals(100 * rounds, sums.get(c), "caller " + c);
        }
    }

    /** A worker that has parked (idle longer than its spin) is woken for the next region; a closed pool runs inline. */
    @Test
    void workersWakeAfterParkingAndAClosedPoolStillRuns() throws Exception {
        CpuPool pool = CpuPool.ofThreads(3);
        for (int r = 0; r < 3; r++) {
            ConcurrentHashMap<Integer, Thread> runner = new ConcurrentHashMap<>();
            pool.parallelFor(3, (from, to) -> runner.put(from, Thread.currentThread()));
            assertEquals(3, runner.size());
            Thread.sleep(5 + CpuPool.WORKER_SPIN_NANOS / 1_000_000);
        }
        pool.close();
        AtomicIntegerArray seen = new AtomicIntegerArray(9);
        pool.parallelFor(9, (from, to) -> {
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < 9; i++) assertEquals(1, seen.get(i), "index " + i);
    }
}
