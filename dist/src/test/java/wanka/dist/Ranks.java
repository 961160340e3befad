package wanka.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Test helpers: run a body on every rank of a world (one thread each) and move floats in and out of segments. */
public final class Ranks {
    private Ranks() {}

    /** Runs {@code body} on each rank's thread and returns the results by rank; rethrows the first failure. */
    public static <T> List<T> run(World world, Function<ProcessGroup, T> body) {
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (ProcessGroup g : world.groups()) {
            CompletableFuture<T> f = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("test-rank-" + g.rank()).start(() -> {
                try {
                    f.complete(body.apply(g));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            futures.add(f);
        }
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> f : futures) {
            try {
                out.add(f.get(60, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new AssertionError(e.getCause());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    public static MemorySegment floats(Arena arena, float[] values) {
        MemorySegment s = arena.allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    public static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Values of rank {@code rank}: varied magnitudes so that the order of addition shows in the bits. */
    public static float[] input(int rank, int n, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed * 1_000_003L + rank);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(10, rnd.nextInt(-3, 4)));
        }
        return v;
    }
}
