package wanka.data.mix;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MixingWeightsTest {

    @Test
    void odmMatchesTheWorkedExample() {
        // algorithms.md §2.1: K=3, t=1000, R̂=[9,6,3] -> ε_999=0.0191460, ε_1000=0.0191365, π=[0.351543, 0.332988, 0.315469].
        assertThat(OdmWeights.epsilon(3, 999)).isCloseTo(0.0191460, within(5e-8));
        assertThat(OdmWeights.epsilon(3, 1000)).isCloseTo(0.0191365, within(5e-8));
        OdmWeights w = new OdmWeights(StaticWeights.uniform(3).weights(), new double[]{9, 6, 3}, 999, 0.9, 0);
        assertThat(w.weights()).containsExactly(new double[]{0.351543, 0.332988, 0.315469}, within(5e-7));
    }

    @Test
    void odmUpdateIsTheImportanceWeightedMovingAverage() {
        // Hand-computed: t=1 is uniform (ε_0 = ε_1 = 1/3), so R̂_i = 0.9·0 + 0.1·L_i/(1/3) = 0.3·L_i; domain 1 absent keeps 0.
        OdmWeights w = OdmWeights.start(StaticWeights.uniform(3), 0).observe(new double[]{2.0, Double.NaN, 4.0});
        assertThat(w.rewards()).containsExactly(new double[]{0.6, 0.0, 1.2}, within(1e-12));
        assertThat(w.updates()).isEqualTo(1);
        // Second update with π_2 = uniform as well (ε_1 = 1/3 and K·ε_2 = 1): R̂_0 = 0.9·0.6 + 0.1·3/(1/3) = 1.44.
        OdmWeights w2 = w.observe(new double[]{3.0, 1.0, Double.NaN});
        assertThat(w2.rewards()).containsExactly(new double[]{1.44, 0.3, 1.2}, within(1e-12));
    }

    @Test
    void odmExpLossRewardIsTheSmoothedMeanOfExpLoss() {
        OdmWeights w = OdmWeights.start(StaticWeights.uniform(3), 0, OdmWeights.EXP_LOSS).observe(new double[]{2.0, Double.NaN, 40.0});
        // R̂ ← 0.9·0 + 0.1·exp(L), no importance weight; losses above 20 are clamped; an absent domain keeps its reward
        assertThat(w.rewards()[0]).isCloseTo(0.1 * Math.exp(2.0), within(1e-12));
        assertThat(w.rewards()[1]).isZero();
        assertThat(w.rewards()[2]).isCloseTo(0.1 * Math.exp(20.0), within(1e-3));
        OdmWeights w2 = w.observe(new double[]{1.0, 1.0, 1.0});
        assertThat(w2.rewards()[0]).isCloseTo(0.9 * 0.1 * Math.exp(2.0) + 0.1 * Math.E, within(1e-12));
        // the higher-loss arm gets more weight, and far more than under the paper's reward
        OdmWeights paper = OdmWeights.start(StaticWeights.uniform(2), 0), exp = OdmWeights.start(StaticWeights.uniform(2), 0, OdmWeights.EXP_LOSS);
        for (int t = 0; t < 50; t++) {
            paper = paper.observe(new double[]{4.0, 3.0});
            exp = exp.observe(new double[]{4.0, 3.0});
        }
        assertThat(exp.weights()[0] - exp.weights()[1]).isGreaterThan(paper.weights()[0] - paper.weights()[1]).isGreaterThan(0.0);
        assertThatThrownBy(() -> OdmWeights.start(StaticWeights.uniform(2), 0, "square")).hasMessageContaining("exp_loss");
    }

    @Test
    void odmWeightsSumToOneAndRespectTheFloor() {
        SplittableRandom rnd = new SplittableRandom(3);
        MixingWeights w = OdmWeights.start(StaticWeights.of(5, 1, 1, 1), 0);
        for (int t = 1; t <= 3000; t++) {
            double[] p = w.weights();
            assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
            double floor = OdmWeights.epsilon(4, t);
            for (double x : p) assertThat(x).isGreaterThanOrEqualTo(floor - 1e-15);
            double[] loss = {rnd.nextDouble(1, 8), rnd.nextDouble(1, 8), rnd.nextDouble() < 0.3 ? Double.NaN : 20, 0.1};
            w = w.observe(loss);
        }
    }

    @Test
    void aDomainWithHigherLossGainsWeight() {
        MixingWeights w = OdmWeights.start(StaticWeights.uniform(3), 0);
        for (int t = 0; t < 200; t++) w = w.observe(new double[]{2.0, 2.0, 5.0});
        double[] p = w.weights();
        assertThat(p[2]).isGreaterThan(p[0] + 0.05);
        assertThat(p[0]).isCloseTo(p[1], within(1e-12));
    }

    @Test
    void odmWarmupSamplesTheInitialWeights() {
        MixingWeights w = OdmWeights.start(StaticWeights.of(3, 1), 2);
        w = w.observe(new double[]{1, 9});
        assertThat(w.weights()).containsExactly(0.75, 0.25);
        w = w.observe(new double[]{1, 9});
        assertThat(w.weights()).isNotEqualTo(new double[]{0.75, 0.25});
    }

    @Test
    void doremiMatchesTheWorkedExample() {
        // algorithms.md §2.2: α=[⅓,⅓,⅓], λ=[0.5,0.1,0], η=1, c=1e-3 -> [0.439097, 0.294446, 0.266457].
        DoReMiWeights w = DoReMiWeights.start(StaticWeights.uniform(3), new double[]{1, 1, 1}).observe(new double[]{1.5, 1.1, 0.7});
        assertThat(w.weights()).containsExactly(new double[]{0.439097, 0.294446, 0.266457}, within(5e-7));
        assertThat(w.excess()).containsExactly(0.5, 0.10000000000000009, 0.0);
    }

    @Test
    void staticWeights() {
        assertThat(StaticWeights.proportional(new long[]{300, 100}).weights()).containsExactly(0.75, 0.25);
        assertThat(StaticWeights.uniform(4).observe(new double[]{9, 1, 1, 1}).weights()).containsExactly(0.25, 0.25, 0.25, 0.25);
        assertThatThrownBy(() -> new StaticWeights(new double[]{0.5, 0.6})).hasMessageContaining("sum to 1");
    }

    @Test
    void stateRoundTripsThroughJsonExactly() throws Exception {
        ObjectMapper json = new ObjectMapper();
        MixingWeights w = OdmWeights.start(StaticWeights.of(2, 1, 1), 0).observe(new double[]{2.7182818, 1.1, Double.NaN}).observe(new double[]{3.3, 0.2, 1e-3});
        MixingWeights back = json.readValue(json.writeValueAsString(w), MixingWeights.class);
        assertThat(back).isInstanceOf(OdmWeights.class);
        assertThat(back.weights()).containsExactly(w.weights());
        assertThat(((OdmWeights) back).rewards()).containsExactly(((OdmWeights) w).rewards());
        MixingWeights d = DoReMiWeights.start(StaticWeights.uniform(2), new double[]{1, 2}).observe(new double[]{3, 1});
        assertThat(json.readValue(json.writeValueAsString(d), MixingWeights.class).weights()).containsExactly(d.weights());
    }
}
