package wanka.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/**
 * Enumerates layouts of a model on a cluster and returns the fastest that fit memory.
 *
 * <p>Space: t a divisor of the world up to a node's devices (Narayanan's rule: TP stays inside a node), dividing
 * heads, kv heads and the FFN width; p a divisor of world/t up to the layer count; d = world/(t·p); micro-batch
 * 1, 2, 4, 8, 16 dividing B/d; v 1, 2, 3, 4, 6, 8 with at least one layer per chunk and m divisible by p; ZeRO 0–3
 * (0–1 with pipelining); recompute none, selective, full. Fixed from the base layout: global batch, sequence
 * length, precision, replicas, gradient-reduce overlap.
 *
 * <p>Pruning: sequence parallelism is on whenever t > 1 (in this model it only removes memory and memory traffic);
 * selective recompute is skipped for fused attention (it keeps no scores, so it equals no recompute);
 * invalid layouts are dropped by {@link Layout#problems}; the memory check runs before the time model; candidates
 * are visited in order of a compute lower bound (executed FLOPs per device at the matmul efficiency), and the
 * search stops once that bound exceeds the k-th best step time found.
 */
public final class Search {
    private Search() {
    }

    /**
     * What a search found.
     *
     * @param best       the fastest plans that fit, fastest first
     * @param candidates valid layouts that fit memory (the ones ranked)
     * @param outOfMemory valid layouts that do not fit memory (so candidates + outOfMemory were enumerated)
     * @param evaluated  layouts whose step time was simulated
     * @param seconds    wall time of the search
     */
    public record Result(List<Plan> best, int candidates, int outOfMemory, int evaluated, double seconds) {
    }

    private record Candidate(Layout layout, double lowerBound) {
    }

    /**
     * Searches layouts like {@code base} for {@code model} on {@code cluster}.
     *
     * @param top      how many plans to return
     * @param progress called with the number of candidates handled so far (the total is known after
     *                 enumeration and passed first as a negative number)
     */
    public static Result run(ModelSpec model, LayerProfile profile, Cluster cluster, Layout base, int top,
                             LongConsumer progress) {
        long t0 = System.nanoTime();
        List<Candidate> cands = new ArrayList<>();
        int oom = 0;
        for (Layout lay : layouts(model, profile, cluster, base)) {
            if (!MemoryModel.estimate(model, cluster, lay).fits()) {
                oom++;
                continue;
            }
            cands.add(new Candidate(lay, lowerBound(model, profile, cluster, lay)));
        }
        cands.sort(Comparator.comparingDouble(Candidate::lowerBound));
        progress.accept(-cands.size());
        PriorityQueue<Plan> best = new PriorityQueue<>(Comparator.comparingDouble((Plan pl) -> pl.time().total()).reversed());
        int evaluated = 0, done = 0;
        for (Candidate c : cands) {
            done++;
            if (best.size() == top && c.lowerBound() >= best.peek().time().total()) break;
            StepTime st = TimeModel.estimate(model, profile, cluster, c.layout());
            evaluated++;
            if (best.size() < top || st.total() < best.peek().time().total()) {
                best.add(new Plan(model, cluster, c.layout(), profile, MemoryModel.estimate(model, cluster, c.layout()), st));
                if (best.size() > top) best.poll();
            }
            if (done % 16 == 0) progress.accept(done);
        }
        progress.accept(cands.size());
        List<Plan> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(pl -> pl.time().total()));
        return new Result(out, cands.size(), oom, evaluated, (System.nanoTime() - t0) / 1e9);
    }

    /** Every valid layout of the search space (see the class comment), memory not checked. */
    static List<Layout> layouts(ModelSpec model, LayerProfile profile, Cluster cluster, Layout base) {
        int world = cluster.worldSize();
        List<Layout> out = new ArrayList<>();
        for (int t = 1; t <= Math.min(world, cluster.devicesPerNode()); t++) {
            if (world % t != 0 || model.heads() % t != 0 || model.kvHeads() % t != 0 || model.ffn() % t != 0) continue;
            for (int p = 1; p <= Math.min(world / t, model.layers()); p++) {
                if ((world / t) % p != 0) continue;
                int d = world / (t * p);
                for (int b : new int[]{1, 2, 4, 8, 16}) {
                    if (base.globalBatch() % (d * b) != 0 || b % base.replicas() != 0) continue;
                    for (int v : new int[]{1, 2, 3, 4, 6, 8}) {
                        if (v > 1 && p == 1) break;
                        for (int z = 0; z <= (p > 1 ? 1 : 3); z++) {
                            for (Recompute rc : Recompute.all()) {
                                if (rc instanceof Recompute.Selective && profile.fusedAttention()) continue;
                                Layout lay = base.with(d, t, p, v, b, ZeroStage.of(z), t > 1, rc);
                                if (lay.problems(model, cluster).isEmpty()) out.add(lay);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * One layout of the space with its memory and step time, fitting or not, for the frontier chart.
     *
     * @param layout  the layout
     * @param memory  peak bytes of its most loaded device
     * @param seconds its step time
     * @param fits    whether it fits the usable memory
     */
    public record Point(Layout layout, double memory, double seconds, boolean fits) {
    }

    /**
     * Memory and step time of every valid layout of the space (up to {@code limit}, evenly sampled beyond), without
     * pruning: the search's frontier of step time against memory, fitting or not.
     */
    public static List<Point> points(ModelSpec model, LayerProfile profile, Cluster cluster, Layout base, int limit) {
        List<Layout> all = layouts(model, profile, cluster, base);
        List<Point> out = new ArrayList<>();
        double step = Math.max(1.0, all.size() / (double) limit);
        for (double i = 0; i < all.size(); i += step) {
            Layout lay = all.get((int) i);
            MemoryBreakdown mem = MemoryModel.estimate(model, cluster, lay);
            out.add(new Point(lay, mem.total(), TimeModel.estimate(model, profile, cluster, lay).total(), mem.fits()));
        }
        return out;
    }

    /** The valid layout needing the least memory and its memory; null when the space has no valid layout. */
    public static Plan smallest(ModelSpec model, LayerProfile profile, Cluster cluster, Layout base) {
        Layout best = null;
        MemoryBreakdown bestMem = null;
        for (Layout lay : layouts(model, profile, cluster, base)) {
            MemoryBreakdown mem = MemoryModel.estimate(model, cluster, lay);
            if (bestMem == null || mem.total() < bestMem.total()) {
                best = lay;
                bestMem = mem;
            }
        }
        return best == null ? null : new Plan(model, cluster, best, profile, bestMem, TimeModel.estimate(model, profile, cluster, best));
    }

    /** Seconds a device needs at least: its share of the executed FLOPs at the matmul efficiency. */
    static double lowerBound(ModelSpec m, LayerProfile prof, Cluster c, Layout lay) {
        return TimeModel.hardwareFlops(m, prof, lay) / c.worldSize()
                / (c.accelerator().peak16() * Math.max(c.efficiency().matmul(), c.efficiency().attention()));
    }
}
