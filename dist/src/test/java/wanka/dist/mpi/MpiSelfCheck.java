package wanka.dist.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wanka.dist.DeviceMesh;
import wanka.dist.MeshShape;
import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.dist.Work;

/**
 * Run under {@code mpirun -np N} by {@link MpiBackendTest}: {@code check} runs every collective on the MPI
 * backend and checks the results (exit 0, a line "rank r ok" per rank); {@code timeout} makes rank 0 wait for
 * an all-reduce rank 1 never joins (the watchdog must abort the job); {@code hash} prints the hash of a
 * reproducible all-reduce (the {@code check} mode prints it too); {@code bench MB ITERS} times all-reduces.
 * Plain Java (no JUnit) so that it needs only the module's classes.
 */
public final class MpiSelfCheck {
    private MpiSelfCheck() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "check";
        Duration timeout = mode.equals("timeout") ? Duration.ofSeconds(2) : Duration.ofSeconds(60);
        try (MpiWorld w = MpiWorld.init(timeout); Arena arena = Arena.ofShared()) {
            ProcessGroup g = w.world();
            switch (mode) {
                case "check" -> check(g, arena);
                case "timeout" -> {
                    if (g.rank() == 0) {
                        g.allReduce(Span.floats(arena.allocate(4 * 8)));
                    } else {
                        Thread.sleep(30_000);
                    }
                }
                case "hash" -> System.out.println(hashLine(g, reproducible(g, arena)));
                case "bench" -> bench(g, arena, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                default -> throw new IllegalArgumentException(mode);
            }
            g.barrier();
            System.out.println("rank " + g.rank() + " ok");
        }
    }

    private static void check(ProcessGroup g, Arena arena) {
        int n = g.size(), r = g.rank();
        // all-reduce of small integers: exact in any summation order
        MemorySegment f = floats(arena, 1000, i -> (r + 1) * 1000 + i % 7);
        g.allReduce(Span.floats(f));
        expect("allReduce float", f.toArray(ValueLayout.JAVA_FLOAT), floatsOf(1000, i -> {
            float s = 0;
            for (int k = 0; k < n; k++) {
                s += (k + 1) * 1000 + i % 7;
            }
            return s;
        }));
        // a bucket of a flat buffer, in place, the rest untouched
        MemorySegment flat = floats(arena, 100, i -> r + i);
        g.allReduce(Span.floats(flat, 10, 30));
        expect("allReduce view", flat.toArray(ValueLayout.JAVA_FLOAT),
                floatsOf(100, i -> i >= 10 && i < 40 ? n * i + n * (n - 1) / 2f : r + i));
        MemorySegment d = arena.allocate(8 * 4), l = arena.allocate(8 * 4);
        for (int i = 0; i < 4; i++) {
            d.setAtIndex(ValueLayout.JAVA_DOUBLE, i, 0.5 * r + i);
            l.setAtIndex(ValueLayout.JAVA_LONG, i, (1L << 40) * r + i);
        }
        g.allReduce(Span.doubles(d));
        g.allReduce(Span.longs(l));
        for (int i = 0; i < 4; i++) {
            require(d.getAtIndex(ValueLayout.JAVA_DOUBLE, i) == 0.5 * n * (n - 1) / 2 + n * i, "allReduce double");
            require(l.getAtIndex(ValueLayout.JAVA_LONG, i) == (1L << 40) * n * (n - 1) / 2 + (long) n * i, "allReduce long");
        }
        MemorySegment m = floats(arena, 3, i -> i == 0 ? r : -r);
        g.allReduce(Span.floats(m), ReduceOp.MAX);
        expect("allReduce max", m.toArray(ValueLayout.JAVA_FLOAT), new float[] {n - 1, 0, 0});
        // a buffer larger than one MPI call's piece, at an odd offset: reduced and broadcast piece by piece
        int many = (int) (MpiGroup.PIECE_BYTES / 4 * 2 + 1001), at = 3;
        MemorySegment large = floats(arena, many + at + 2, i -> r + i % 101);
        g.allReduce(Span.floats(large, at, many));
        expect("allReduce in pieces", large.toArray(ValueLayout.JAVA_FLOAT),
                floatsOf(many + at + 2, i -> i >= at && i < at + many ? n * (i % 101) + n * (n - 1) / 2f : r + i % 101));
        MemorySegment bcast = floats(arena, many, i -> r * 7 + i % 13);
        g.broadcast(Span.floats(bcast), n - 1);
        expect("broadcast in pieces", bcast.toArray(ValueLayout.JAVA_FLOAT), floatsOf(many, i -> (n - 1) * 7 + i % 13));
        // reduce-scatter and all-gather
        int block = 5;
        MemorySegment in = floats(arena, block * n, i -> r * 100 + i), out = arena.allocate(4L * block);
        g.reduceScatter(Span.floats(in), Span.floats(out));
        expect("reduceScatter", out.toArray(ValueLayout.JAVA_FLOAT),
                floatsOf(block, i -> 100f * n * (n - 1) / 2 + n * (r * block + i)));
        MemorySegment mine = floats(arena, block, i -> r * 10 + i), all = arena.allocate(4L * block * n);
        g.allGather(Span.floats(mine), Span.floats(all));
        expect("allGather", all.toArray(ValueLayout.JAVA_FLOAT), floatsOf(block * n, i -> (i / block) * 10 + i % block));
        // broadcast from every root
        for (int root = 0; root < n; root++) {
            int rt = root;
            MemorySegment b = floats(arena, 17, i -> r * 1000 + i);
            g.broadcast(Span.floats(b), root);
            expect("broadcast root " + root, b.toArray(ValueLayout.JAVA_FLOAT), floatsOf(17, i -> rt * 1000 + i));
        }
        // ring of tagged messages, received out of send order
        int next = (r + 1) % n, prev = (r + n - 1) % n;
        MemorySegment a1 = floats(arena, 9, i -> r + i), a2 = floats(arena, 9, i -> -r - i);
        MemorySegment g1 = arena.allocate(36), g2 = arena.allocate(36);
        Work s1 = g.sendAsync(Span.floats(a1), next, 1), s2 = g.sendAsync(Span.floats(a2), next, 2);
        Work r2 = g.recvAsync(Span.floats(g2), prev, 2), r1 = g.recvAsync(Span.floats(g1), prev, 1);
        Work.awaitAll(List.of(s1, s2, r2, r1));
        expect("recv tag 1", g1.toArray(ValueLayout.JAVA_FLOAT), floatsOf(9, i -> prev + i));
        expect("recv tag 2", g2.toArray(ValueLayout.JAVA_FLOAT), floatsOf(9, i -> -prev - i));
        // an MPI error comes back as an exception with MPI_Error_string's text: a message longer than the buffer
        if (n >= 2 && r < 2) {
            MemorySegment big = floats(arena, 8, i -> i), small = arena.allocate(4 * 4);
            if (r == 0) {
                g.send(Span.floats(big), 1, 99);
            } else {
                try {
                    g.recv(Span.floats(small), 0, 99);
                    require(false, "a truncated message was accepted");
                } catch (wanka.dist.DistException e) {
                    require(e.getMessage().contains("recv(float x 4) from rank 0 tag 99 in group 'world' failed: "
                            + "MPI_ERR_TRUNCATE: message truncated"), "error text: " + e.getMessage());
                }
            }
        }
        // async: several operations in flight at once, on the world and on sub-groups
        if (n % 2 == 0) {
            DeviceMesh mesh = DeviceMesh.create(g, new MeshShape(2, 1, n / 2));
            for (MeshShape.Dim dim : MeshShape.Dim.values()) {
                ProcessGroup sub = mesh.group(dim);
                MemorySegment me = arena.allocate(8), members = arena.allocate(8L * sub.size());
                me.set(ValueLayout.JAVA_LONG, 0, r);
                sub.allGather(Span.longs(me), Span.longs(members));
                List<Integer> got = Arrays.stream(members.toArray(ValueLayout.JAVA_LONG)).mapToObj(x -> (int) x).toList();
                List<Integer> want = mesh.shape().groups(dim).get(mesh.shape().groupIndex(dim, mesh.coord()));
                require(got.equals(want), "mesh " + dim + " members " + got + ", expected " + want);
                require(sub.rank() == mesh.coord().get(dim), "mesh " + dim + " rank");
            }
            MemorySegment x = floats(arena, 4096, i -> 1), y = floats(arena, 4096, i -> 2), z = floats(arena, 4096, i -> 3);
            Work wx = g.allReduceAsync(Span.floats(x));
            Work wy = mesh.tp().allReduceAsync(Span.floats(y));
            Work wz = mesh.pp().allReduceAsync(Span.floats(z));
            Work.awaitAll(List.of(wz, wx, wy));
            expect("async world", x.toArray(ValueLayout.JAVA_FLOAT), floatsOf(4096, i -> n));
            expect("async tp", y.toArray(ValueLayout.JAVA_FLOAT), floatsOf(4096, i -> 4));
            expect("async pp", z.toArray(ValueLayout.JAVA_FLOAT), floatsOf(4096, i -> 3f * n / 2));
        }
        System.out.println(hashLine(g, reproducible(g, arena)));
        // the JVM's own signal use (implicit null checks) still works with MPI initialised
        int caught = 0;
        for (int i = 0; i < 200_000; i++) {
            Object o = i % 1000 == 0 ? null : "x";
            try {
                caught += o.hashCode() == 0 ? 1 : 0;
            } catch (NullPointerException e) {
                caught++;
            }
        }
        require(caught == 200, "null checks");
        System.out.println("rank " + r + " checks passed");
    }

    /**
     * All-reduces random floats of mixed magnitudes (where the summation order shows in the bits) three times;
     * checks the results are bitwise equal each time and on every rank; returns their hash.
     */
    private static long reproducible(ProcessGroup g, Arena arena) {
        int n = g.size();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(g.rank());
        float[] v = new float[1 << 18];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(10, rnd.nextInt(-3, 4)));
        }
        List<Long> hashes = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            MemorySegment buf = arena.allocate(4L * v.length, 64);
            MemorySegment.copy(v, 0, buf, ValueLayout.JAVA_FLOAT, 0, v.length);
            g.allReduce(Span.floats(buf));
            hashes.add(hash(buf));
        }
        require(hashes.stream().distinct().count() == 1, "repeated allReduce differs bitwise: " + hashes);
        MemorySegment h = arena.allocate(8), hs = arena.allocate(8L * n);
        h.set(ValueLayout.JAVA_LONG, 0, hashes.getFirst());
        g.allGather(Span.longs(h), Span.longs(hs));
        require(Arrays.stream(hs.toArray(ValueLayout.JAVA_LONG)).distinct().count() == 1, "ranks' results differ bitwise");
        return hashes.getFirst();
    }

    private static void bench(ProcessGroup g, Arena arena, int megabytes, int iterations) {
        long count = megabytes * (1L << 20) / 4;
        MemorySegment buf = arena.allocate(4 * count, 64);
        Span s = Span.floats(buf);
        for (int i = 0; i < 3; i++) {
            g.allReduce(s);
        }
        g.barrier();
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            g.allReduce(s);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[iterations / 2];
        double bytes = 4.0 * count, n = g.size();
        if (g.rank() == 0) {
            System.out.println(String.format("allReduce %d MB float x %d ranks: median %.2f ms (min %.2f, max %.2f); "
                    + "algbw %.2f GB/s, busbw %.2f GB/s", megabytes, g.size(), median, ms[0], ms[iterations - 1],
                    bytes / median / 1e6,
                    bytes / median / 1e6 * 2 * (n - 1) / n));
        }
    }

    /** One line, written at once so that mpirun does not interleave it with other ranks' output. */
    private static String hashLine(ProcessGroup g, long hash) {
        return String.format("rank %d hash %016x", g.rank(), hash);
    }

    private static long hash(MemorySegment s) {
        long h = 1125899906842597L;
        for (long i = 0; i < s.byteSize() / 8; i++) {
            h = 31 * h + s.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return h;
    }

    private interface IntToFloat {
        float at(int i);
    }

    private static float[] floatsOf(int n, IntToFloat f) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = f.at(i);
        }
        return v;
    }

    private static MemorySegment floats(Arena arena, int n, IntToFloat f) {
        MemorySegment s = arena.allocate(4L * n, 64);
        MemorySegment.copy(floatsOf(n, f), 0, s, ValueLayout.JAVA_FLOAT, 0, n);
        return s;
    }

    private static void expect(String what, float[] got, float[] want) {
        require(Arrays.equals(got, want), what + ": got " + Arrays.toString(Arrays.copyOf(got, Math.min(8, got.length)))
                + "…, expected " + Arrays.toString(Arrays.copyOf(want, Math.min(8, want.length))) + "…");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
