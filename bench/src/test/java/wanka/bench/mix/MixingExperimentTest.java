package wanka.bench.mix;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MixingExperimentTest {

    @Test
    void seedsComeFromSeedOrSeedsOrTheDefault() {
        assertThat(MixingExperiment.seeds(Map.of())).containsExactly(1234L);
        assertThat(MixingExperiment.seeds(Map.of("--seed", "7"))).containsExactly(7L);
        assertThat(MixingExperiment.seeds(Map.of("--seeds", "1, 2,3"))).containsExactly(1L, 2L, 3L);
        assertThatThrownBy(() -> MixingExperiment.seeds(Map.of("--seed", "1", "--seeds", "2"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MixingExperiment.seeds(Map.of("--seeds", "1,1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void meanAndSampleStandardDeviation() {
        double[] ms = MixingExperiment.meanStd(new double[]{1, 2, 3, 4});
        assertThat(ms[0]).isEqualTo(2.5);
        assertThat(ms[1]).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
        assertThat(MixingExperiment.meanStd(new double[]{4.2})).containsExactly(4.2, 0);
    }

    @Test
    void summaryAveragesOverSeedsAndPairsTheDifferenceWithUniformBySeed() {
        List<MixingExperiment.Result> rs = List.of(
                new MixingExperiment.Result("uniform", 1, new double[]{4, 6}, new double[]{0.5, 0.5}, 0),
                new MixingExperiment.Result("odm", 1, new double[]{4, 5}, new double[]{0.4, 0.6}, 0),
                new MixingExperiment.Result("uniform", 2, new double[]{5, 7}, new double[]{0.5, 0.5}, 0),
                new MixingExperiment.Result("odm", 2, new double[]{5, 7}, new double[]{0.2, 0.8}, 0));
        String t = MixingExperiment.summary(List.of("a", "b"), rs, 10);
        assertThat(t).contains("over seeds [1, 2]");
        assertThat(t).contains("| mixing | a | b | average | Δ average vs uniform | mean final weights |");
        // uniform: a = 4.5 ± 0.707, b = 6.5 ± 0.707, average (5, 6) → 5.5 ± 0.707
        assertThat(t).contains("| uniform (2) | 4.500 ± 0.707 | 6.500 ± 0.707 | **5.500 ± 0.707** | — | 0.50 / 0.50 |");
        // odm: averages 4.5 and 6 → paired differences −0.5 and 0 → −0.25 ± 0.354
        assertThat(t).contains("| odm (2) | 4.500 ± 0.707 | 6.000 ± 1.414 | **5.250 ± 1.061** | -0.250 ± 0.354 | 0.30 / 0.70 |");
    }
}
