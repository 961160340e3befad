package wanka.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses, per pipeline device, layer and saved activation, whether to keep, slice (regather) or recompute it, so
 * that each device fits a memory budget with the least added backward time (F5). An exact optimisation, not a rule:
 *
 * <ol>
 *   <li>Per layer, every combination of the activations' {@link SavedActivation#options} is priced
 *       ({@link RecomputePrices}) and sized; only the Pareto frontier of (kept bytes, seconds) is kept. This loses
 *       nothing: a device's memory is fixed + f·Σ kept + max rebuilt (f ≥ 1 micro-batches in flight, rebuilt = the
 *       one-layer transient = kept-all − kept), so swapping a layer's choice for one that keeps Δ less at no more
 *       cost changes memory by at most Δ(1 − f) ≤ 0.</li>
 *   <li>A device's layers are interchangeable (same shapes, same in-flight count), so a solution is a count
 *       n_k of layers per frontier choice: min Σ n_k·c_k subject to Σ n_k = L and
 *       fixed + f·Σ n_k·w_k + rebuilt(most-dropping choice used) ≤ budget. For each candidate most-dropping choice
 *       j this is a knapsack with a cardinality constraint, solved by branch and bound with the LP bound (the
 *       lower convex hull of the frontier: Dantzig's bound for the multiple-choice knapsack).</li>
 * </ol>
 * The objective adds {@link RecomputePrices#TIE_BREAK} per activation not kept, so with room to spare nothing is
 * recomputed. RecomputeOptimizerTest checks the result against brute force over every per-layer assignment.
 */
public final class RecomputeOptimizer {
    /** Branch-and-bound nodes per subproblem before settling for the best found (never reached in practice). */
    static final long NODE_LIMIT = 2_000_000;

    private RecomputeOptimizer() {
    }

    /** One way to hold a layer's activations: its choice, bytes kept, bytes rebuilt in backward, and objective. */
    record Option(LayerRecompute choice, double kept, double rebuilt, double cost) {
    }

    /**
     * One device's problem.
     *
     * @param layers   L, layers on the device
     * @param fixed    bytes besides the layers' activations (weights, gradients, optimizer, buffers, extras)
     * @param inFlight f, micro-batches of its layers' activations held at the peak
     * @param budget   bytes allowed
     */
    record Device(int layers, double fixed, double inFlight, double budget) {
        /** Memory with these per-layer options. */
        double memory(List<Option> perLayer) {
            double kept = 0, rebuilt = 0;
            for (Option o : perLayer) {
                kept += o.kept();
                rebuilt = Math.max(rebuilt, o.rebuilt());
            }
            return fixed + inFlight * kept + rebuilt;
        }
    }

    /** Counts per frontier option and the objective; {@code exact} false if the node limit cut the search. */
    record Counts(int[] n, double objective, boolean exact) {
    }

    /**
     * Chooses for every device of {@code lay} (its own recompute mode is ignored). {@code forced} fixes the storage of
     * some activations in every layer (user-specified recompute); the rest is optimised.
     */
    public static RecomputeSolution optimize(ModelSpec m, LayerProfile prof, Cluster c, Layout lay, double budget,
                                             Map<SavedActivation, Storage> forced) {
        RecomputePrices prices = RecomputePrices.of(m, prof, c, lay);
        List<Option> front = frontier(combinations(m, lay, prices, forced));
        int p = lay.pp(), v = lay.vpp(), stages = p * v;
        List<DeviceRecompute> devices = new ArrayList<>();
        boolean exact = true;
        for (int r = 0; r < p; r++) {
            List<Integer> indices = new ArrayList<>();
            int[] chunkSize = new int[v];
            for (int ch = 0; ch < v; ch++) {
                int vs = ch * p + r;
                chunkSize[ch] = PipelineSchedule.layersOf(m.layers(), stages, vs);
                int first = PipelineSchedule.firstLayerOf(m.layers(), stages, vs);
                for (int i = 0; i < chunkSize[ch]; i++) indices.add(first + i);
            }
            double extras = r == 0 ? ActivationMemory.firstStageExtras(m, lay) : 0;
            double f = ActivationMemory.inFlightMicroBatches(r, p, v, lay.microBatches());
            double fixed = MemoryModel.device(m, c, lay, r, extras, 0).total();
            Device d = new Device(indices.size(), fixed, f, budget);
            Counts counts = solve(front, d);
            if (counts == null) { // nothing fits: recompute as much as possible and let the memory say by how much
                int[] n = new int[front.size()];
                n[front.size() - 1] = d.layers();
                counts = new Counts(n, Double.NaN, true);
            }
            exact &= counts.exact();
            List<Option> perLayer = assign(front, counts.n(), chunkSize);
            List<Double> chunkSeconds = new ArrayList<>();
            double kept = 0, rebuilt = 0;
            int at = 0;
            for (int ch = 0; ch < v; ch++) {
                double sec = 0;
                for (int i = 0; i < chunkSize[ch]; i++, at++) sec += prices.seconds(perLayer.get(at).choice());
                chunkSeconds.add(sec);
            }
            for (Option o : perLayer) {
                kept += o.kept();
                rebuilt = Math.max(rebuilt, o.rebuilt());
            }
            MemoryBreakdown mem = MemoryModel.device(m, c, lay, r, extras + f * kept, rebuilt).withUsable(budget);
            devices.add(new DeviceRecompute(r, indices, perLayer.stream().map(Option::choice).toList(), chunkSeconds, mem));
        }
        return new RecomputeSolution(devices, budget, exact);
    }

    /** Every per-layer combination of allowed storages, those in {@code forced} fixed; priced and sized. */
    static List<Option> combinations(ModelSpec m, Layout lay, RecomputePrices prices, Map<SavedActivation, Storage> forced) {
        int t = lay.tp();
        boolean sp = lay.sequenceParallel();
        long s = lay.seq(), b = lay.microBatch();
        SavedActivation[] acts = SavedActivation.values();
        List<List<Storage>> opts = new ArrayList<>();
        for (SavedActivation a : acts) {
            List<Storage> o = a.options(m, t);
            Storage f = forced.get(a);
            if (f != null) {
                if (!o.contains(f)) {
                    throw new IllegalArgumentException(a.label() + " cannot be " + f.name().toLowerCase(java.util.Locale.ROOT)
                            + "d here; it can be: " + o.stream().map(x -> x.name().toLowerCase(java.util.Locale.ROOT)).toList());
                }
                o = List.of(f);
            }
            opts.add(o);
        }
        List<Option> out = new ArrayList<>();
        int[] idx = new int[acts.length];
        while (true) {
            EnumMap<SavedActivation, Storage> c = new EnumMap<>(SavedActivation.class);
            for (int i = 0; i < acts.length; i++) c.put(acts[i], opts.get(i).get(idx[i]));
            LayerRecompute lr = new LayerRecompute(c);
            out.add(new Option(lr, lr.keptBytes(m, s, b, t, sp), lr.rebuiltBytes(m, s, b, t, sp), prices.objective(lr)));
            int i = 0;
            while (i < acts.length && ++idx[i] == opts.get(i).size()) idx[i++] = 0;
            if (i == acts.length) return out;
        }
    }

    /** The Pareto frontier: kept bytes strictly decreasing, cost strictly increasing. */
    static List<Option> frontier(List<Option> all) {
        List<Option> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble(Option::kept).thenComparingDouble(Option::cost));
        List<Option> front = new ArrayList<>();
        for (Option o : sorted) { // kept ascending: keep each option cheaper than every one keeping less
            if (front.isEmpty() || o.cost() < front.getLast().cost()) front.add(o);
        }
        return front.reversed();
    }

    /** The optimal counts per frontier option for one device, or null when even the most recomputation does not fit. */
    static Counts solve(List<Option> front, Device d) {
        Counts best = null;
        boolean exact = true;
        for (int j = 0; j < front.size(); j++) {
            double cap = (d.budget() - d.fixed() - front.get(j).rebuilt()) / d.inFlight();
            Sub sub = new Sub(front, j, d.layers(), cap);
            Counts c = sub.run();
            exact &= sub.nodes <= NODE_LIMIT;
            if (c != null && (best == null || c.objective() < best.objective())) best = c;
        }
        return best == null ? null : new Counts(best.n(), best.objective(), exact);
    }

    /**
     * Options 0..j, L layers, Σ kept ≤ cap: written as upgrades from option 0 (each layer at most one), reduction
     * d_k = w_0 − w_k at extra cost e_k = c_k − c_0, needing Σ d ≥ R = L·w_0 − cap. Depth-first over k from j down,
     * n_k from most to none, pruned by cost + rem·g_k(R/rem) with g_k the lower convex hull of (0,0), (d_1,e_1) … (d_k,e_k).
     */
    private static final class Sub {
        private final double[] d, e;
        private final double[][][] hulls;
        private final int j, layers;
        private final double need, base;
        private final int[] n, bestN;
        private double best = Double.POSITIVE_INFINITY;
        private long nodes;

        Sub(List<Option> front, int j, int layers, double cap) {
            this.j = j;
            this.layers = layers;
            Option o0 = front.get(0);
            d = new double[j + 1];
            e = new double[j + 1];
            for (int k = 0; k <= j; k++) {
                d[k] = o0.kept() - front.get(k).kept();
                e[k] = front.get(k).cost() - o0.cost();
            }
            need = layers * o0.kept() - cap;
            base = layers * o0.cost();
            hulls = new double[j + 1][][];
            for (int k = 0; k <= j; k++) hulls[k] = hull(k);
            n = new int[j + 1];
            bestN = new int[j + 1];
        }

        Counts run() {
            if (need > layers * d[j]) return null;
            dfs(j, layers, need, 0);
            if (best == Double.POSITIVE_INFINITY) return null;
            int[] out = bestN.clone();
            out[0] = layers - Arrays.stream(bestN).sum() + bestN[0];
            return new Counts(out, base + best, nodes <= NODE_LIMIT);
        }

        private void dfs(int k, int rem, double r, double cost) {
            if (++nodes > NODE_LIMIT) return;
            if (r <= 0) {
                if (cost < best) {
                    best = cost;
                    System.arraycopy(n, 0, bestN, 0, n.length);
                    Arrays.fill(bestN, 0, k + 1, 0);
                }
                return;
            }
            if (k == 0 || rem == 0 || r > rem * d[k]) return;
            if (cost + rem * g(hulls[k], r / rem) >= best) return;
            int max = (int) Math.min(rem, Math.ceil(r / d[k]));
            for (int c = max; c >= 0; c--) {
                n[k] = c;
                dfs(k - 1, rem - c, r - c * d[k], cost + c * e[k]);
            }
            n[k] = 0;
        }

        /** Lower convex hull of (0,0), (d_1,e_1) … (d_k,e_k), d ascending. */
        private double[][] hull(int k) {
            List<double[]> h = new ArrayList<>();
            for (int i = 0; i <= k; i++) {
                double[] pt = {d[i], e[i]};
                while (h.size() >= 2) {
                    double[] a = h.get(h.size() - 2), b = h.getLast();
                    double cross = (b[0] - a[0]) * (pt[1] - a[1]) - (b[1] - a[1]) * (pt[0] - a[0]);
                    if (cross <= 0) h.removeLast();
                    else break;
                }
                h.add(pt);
            }
            return h.toArray(new double[0][]);
        }

        /** The hull's value at x (0 ≤ x ≤ its last d): the least average extra cost per layer reducing x on average. */
        private static double g(double[][] h, double x) {
            if (x <= 0) return 0;
            for (int i = 1; i < h.length; i++) {
                if (x <= h[i][0]) {
                    double[] a = h[i - 1], b = h[i];
                    return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
                }
            }
            return h[h.length - 1][1];
        }
    }

    /**
     * Spreads the chosen options over the device's layers: cheapest first, dealt round-robin over its chunks so every
     * model chunk gets a similar share of the recomputation.
     */
    static List<Option> assign(List<Option> front, int[] counts, int[] chunkSize) {
        List<Option> expanded = new ArrayList<>();
        for (int k = 0; k < counts.length; k++) for (int i = 0; i < counts[k]; i++) expanded.add(front.get(k));
        int total = Arrays.stream(chunkSize).sum();
        int[] start = new int[chunkSize.length];
        for (int ch = 1; ch < chunkSize.length; ch++) start[ch] = start[ch - 1] + chunkSize[ch - 1];
        Option[] out = new Option[total];
        int i = 0;
        int maxSize = Arrays.stream(chunkSize).max().orElse(0);
        for (int pos = 0; pos < maxSize; pos++) {
            for (int ch = 0; ch < chunkSize.length; ch++) {
                if (pos < chunkSize[ch]) out[start[ch] + pos] = expanded.get(i++);
            }
        }
        return List.of(out);
    }
}
