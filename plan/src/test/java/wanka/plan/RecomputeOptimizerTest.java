package wanka.plan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

/** F5: per-op recompute selection under a memory budget. */
class RecomputeOptimizerTest {
    static final ModelSpec GPT = ModelPresets.get("gpt-145.6b");
    static final ModelSpec TC = ModelPresets.get("telechat2-115b");

    @Test
    void perModeActivationBytesStillEqualTheClosedFormsOfSection2point3() {
        double s = 2048, b = 1, h = GPT.hidden(), a = GPT.heads(), sbh = s * b * h;
        int t = 8;
        // Korthikanti Table 2 rows, from the per-op catalogue.
        assertThat(kept(GPT, 1, false, Recompute.NONE)).isCloseTo(sbh * (34 + 5 * a * s / h), withPercentage(1e-12));
        assertThat(kept(GPT, t, false, Recompute.NONE)).isCloseTo(sbh * (10 + 24.0 / t + 5 * a * s / (h * t)), withPercentage(1e-12));
        assertThat(kept(GPT, t, true, Recompute.NONE)).isCloseTo(sbh * (34.0 / t + 5 * a * s / (h * t)), withPercentage(1e-12));
        assertThat(kept(GPT, t, false, Recompute.SELECTIVE)).isCloseTo(sbh * (10 + 24.0 / t), withPercentage(1e-12));
        assertThat(kept(GPT, t, true, Recompute.SELECTIVE)).isCloseTo(34 * sbh / t, withPercentage(1e-12));
        assertThat(kept(GPT, t, false, Recompute.FULL)).isEqualTo(2 * sbh);
        assertThat(kept(GPT, t, true, Recompute.FULL)).isEqualTo(2 * sbh / t);
        // And equal ActivationMemory's per-mode bytes for GPT (dropout, unfused) and TeleChat2 (GQA, SwiGLU, fused).
        for (ModelSpec m : List.of(GPT, TC)) {
            for (int tp : new int[]{1, 2, 8}) {
                for (boolean sp : tp > 1 ? new boolean[]{false, true} : new boolean[]{false}) {
                    for (Recompute rc : Recompute.all()) {
                        long seq = m == GPT ? 2048 : 8192;
                        assertThat(LayerRecompute.of(rc, m, tp, sp).keptBytes(m, seq, 2, tp, sp)).as(m.name() + " t" + tp + " sp" + sp + " " + rc.label())
                                .isCloseTo(ActivationMemory.perLayer(m, seq, 2, tp, sp, rc), withPercentage(1e-12));
                    }
                }
            }
        }
    }

    private static double kept(ModelSpec m, int t, boolean sp, Recompute rc) {
        return LayerRecompute.of(rc, m, t, sp).keptBytes(m, 2048, 1, t, sp);
    }

    /** A GPT with dropout and unfused attention: every kind of activation and option is present. */
    static final ModelSpec SMALL = ModelSpec.megatronGpt("gpt-small", 4, 1024, 16, 51200, 2048);

    static Layout small(int tp, int pp, boolean sp) {
        int dp = 8 / (tp * pp);
        return new Layout(dp, tp, pp, 1, 2, 8 * dp, 2048, ZeroStage.ZERO_1, sp, 1, Recompute.NONE, true, Precision.BF16_FP32_GRADS);
    }

    @Test
    void optimizerEqualsBruteForceOverEveryPerLayerAssignment() {
        Cluster c = ClusterPresets.get("a100-80", 1);
        LayerProfile prof = LayerProfile.closedForm(SMALL);
        int cases = 0, feasible = 0;
        for (Layout lay : List.of(small(2, 2, true), small(2, 2, false), small(1, 2, false))) {
            RecomputePrices prices = RecomputePrices.of(SMALL, prof, c, lay);
            List<RecomputeOptimizer.Option> all = RecomputeOptimizer.combinations(SMALL, lay, prices, Map.of());
            List<RecomputeOptimizer.Option> front = RecomputeOptimizer.frontier(all);
            double lo = all.stream().mapToDouble(RecomputeOptimizer.Option::kept).min().orElseThrow();
            double hi = all.stream().mapToDouble(RecomputeOptimizer.Option::kept).max().orElseThrow();
            for (double f : new double[]{1, 2}) {
                for (int i = 0; i <= 12; i++) {
                    // Budgets from below "recompute everything" to above "keep everything", 2 layers.
                    double fixed = 1e9;
                    double budget = fixed + f * 2 * (lo + (hi - lo) * (i / 12.0 * 1.1 - 0.05)) + hi * 0.37;
                    RecomputeOptimizer.Device d = new RecomputeOptimizer.Device(2, fixed, f, budget);
                    RecomputeOptimizer.Counts got = RecomputeOptimizer.solve(front, d);
                    double brute = bruteForce(all, d);
                    cases++;
                    if (Double.isNaN(brute)) {
                        assertThat(got).as("budget %d", i).isNull();
                        continue;
                    }
                    feasible++;
                    assertThat(got).isNotNull();
                    assertThat(got.exact()).isTrue();
                    assertThat(got.objective()).as(lay.describe() + " budget " + i).isCloseTo(brute, withPercentage(1e-9));
                    List<RecomputeOptimizer.Option> chosen = RecomputeOptimizer.assign(front, got.n(), new int[]{2});
                    assertThat(d.memory(chosen)).isLessThanOrEqualTo(budget);
                }
            }
        }
        assertThat(feasible).isGreaterThan(cases / 2).isLessThan(cases);
    }

    /** The least objective over every assignment of per-layer combinations to the device's layers (NaN: none fits). */
    static double bruteForce(List<RecomputeOptimizer.Option> all, RecomputeOptimizer.Device d) {
        double best = Double.NaN;
        int n = all.size();
        int[] idx = new int[d.layers()];
        List<RecomputeOptimizer.Option> pick = new ArrayList<>();
        while (true) {
            pick.clear();
            double cost = 0;
            for (int k : idx) {
                pick.add(all.get(k));
                cost += all.get(k).cost();
            }
            if (d.memory(pick) <= d.budget() && !(cost >= best)) best = cost;
            int i = 0;
            while (i < idx.length && ++idx[i] == n) idx[i++] = 0;
            if (i == idx.length) return best;
        }
    }

    @Test
    void branchAndBoundEqualsEnumeratingEveryMixOfFrontierChoices() {
        Cluster c = ClusterPresets.get("910b", 1);
        Layout lay = new Layout(1, 8, 1, 1, 1, 8, 8192, ZeroStage.ZERO_1, true, 1, Recompute.NONE, true, Precision.BF16_FP32_GRADS);
        List<RecomputeOptimizer.Option> front = RecomputeOptimizer.frontier(RecomputeOptimizer.combinations(TC, lay,
                RecomputePrices.of(TC, LayerProfiles.of(TC), c, lay), Map.of()));
        assertThat(front.size()).isBetween(3, 40);
        int layers = 5;
        double lo = front.getLast().kept(), hi = front.getFirst().kept();
        for (int i = 0; i <= 20; i++) {
            double budget = 2e9 + 3 * layers * (lo + (hi - lo) * i / 20.0) + hi;
            RecomputeOptimizer.Device d = new RecomputeOptimizer.Device(layers, 2e9, 3, budget);
            RecomputeOptimizer.Counts got = RecomputeOptimizer.solve(front, d);
            double best = enumerate(front, d, new int[front.size()], 0, layers);
            if (Double.isNaN(best)) assertThat(got).isNull();
            else assertThat(got.objective()).as("budget " + i).isCloseTo(best, withPercentage(1e-9));
        }
    }

    private static double enumerate(List<RecomputeOptimizer.Option> front, RecomputeOptimizer.Device d, int[] n, int k, int rem) {
        if (k == front.size() - 1) {
            n[k] = rem;
            List<RecomputeOptimizer.Option> pick = new ArrayList<>();
            double cost = 0;
            for (int i = 0; i < n.length; i++) {
                for (int j = 0; j < n[i]; j++) pick.add(front.get(i));
                cost += n[i] * front.get(i).cost();
            }
            return d.memory(pick) <= d.budget() ? cost : Double.NaN;
        }
        double best = Double.NaN;
        for (int c = 0; c <= rem; c++) {
            n[k] = c;
            double v = enumerate(front, d, n, k + 1, rem - c);
            if (!Double.isNaN(v) && !(v >= best)) best = v;
        }
        return best;
    }

    @Test
    void anAmpleBudgetRecomputesNothingAndATightOneFitsWithTheLeastAddedTime() {
        Cluster c = ClusterPresets.get("910b", 64);
        LayerProfile prof = LayerProfiles.of(TC);
        Layout lay = LayoutTest.layout(8, 8, 8, 3, 1, 1024);
        Plan ample = Plan.optimized(TC, prof, c, lay, 1e15, Map.of());
        assertThat(ample.recompute().devices()).allSatisfy(d -> assertThat(d.layers()).containsOnly(LayerRecompute.KEEP_ALL));
        assertThat(ample.time().recompute()).isZero();

        double budget = 40e9;
        Plan tight = Plan.optimized(TC, prof, c, lay, budget, Map.of());
        assertThat(tight.recompute().exact()).isTrue();
        assertThat(tight.recompute().fits()).isTrue();
        assertThat(tight.recompute().devices()).allSatisfy(d -> assertThat(d.memory().total()).isLessThanOrEqualTo(budget));
        assertThat(tight.memory().total()).isLessThanOrEqualTo(budget);
        assertThat(tight.time().recompute()).isPositive();
        // Later pipeline stages hold fewer micro-batches, so they recompute no more than the first.
        List<DeviceRecompute> devs = tight.recompute().devices();
        assertThat(devs.getLast().secondsPerMicroBatch()).isLessThanOrEqualTo(devs.getFirst().secondsPerMicroBatch());
        // Faster than full recompute of every layer, which also fits.
        Layout full = lay.with(8, 8, 8, 3, 1, ZeroStage.ZERO_1, true, Recompute.FULL);
        assertThat(MemoryModel.estimate(TC, c, full).total()).isLessThan(budget);
        assertThat(tight.time().total()).isLessThan(TimeModel.estimate(TC, prof, c, full).total());
    }

    @Test
    void userSpecifiedChoicesAreKeptAndTheRestOptimised() {
        Cluster c = ClusterPresets.get("910b", 64);
        Layout lay = LayoutTest.layout(8, 8, 8, 3, 1, 1024);
        Plan p = Plan.optimized(TC, LayerProfiles.of(TC), c, lay, 1e15,
                Map.of(SavedActivation.MLP_ACT_OUT, Storage.RECOMPUTE, SavedActivation.ATTN_NORM_OUT, Storage.SLICE));
        assertThat(p.recompute().devices()).allSatisfy(d -> assertThat(d.layers()).allSatisfy(l -> {
            assertThat(l.recomputed()).containsExactly("mlp-act-out");
            assertThat(l.regathered()).containsExactly("attn-norm-out");
        }));
    }
}
