package wanka.plan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SearchTest {
    static Layout base(int globalBatch) {
        return new Layout(1, 1, 1, 1, 1, globalBatch, 8192, ZeroStage.ZERO_1, false, 1, Recompute.SELECTIVE, true,
                Precision.BF16_FP32_GRADS);
    }

    @Test
    void teleChat2115bOn512AscendAnswersInUnderTenSecondsWithFittingSortedPlans() {
        ModelSpec m = ModelPresets.get("telechat2-115b");
        Cluster c = ClusterPresets.get("910b", 64);
        long t0 = System.nanoTime();
        List<Long> ticks = new ArrayList<>();
        Search.Result r = Search.run(m, LayerProfiles.of(m), c, base(1024), 5, ticks::add);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).isLessThan(10);
        assertThat(r.best()).hasSize(5);
        assertThat(r.best()).allMatch(Plan::fits).allMatch(p -> p.layout().problems(m, c).isEmpty());
        for (int i = 1; i < r.best().size(); i++) {
            assertThat(r.best().get(i).time().total()).isGreaterThanOrEqualTo(r.best().get(i - 1).time().total());
        }
        assertThat(ticks.getFirst()).isEqualTo(-r.candidates());
        assertThat(ticks.getLast()).isEqualTo(r.candidates());
        // The best found is at least as fast as the published fine-tune layout (dp8 tp8 pp8 vpp3) with full recompute.
        Layout published = base(1024).with(8, 8, 8, 3, 1, ZeroStage.ZERO_1, true, Recompute.FULL);
        assertThat(r.best().getFirst().time().total())
                .isLessThanOrEqualTo(TimeModel.estimate(m, LayerProfiles.of(m), c, published).total());
    }

    @Test
    void oneTrillionOn10240AscendAnswersInUnderTenSeconds() {
        ModelSpec m = ModelPresets.get("telechat2-1t");
        Cluster c = ClusterPresets.get("910b", 1280);
        long t0 = System.nanoTime();
        Search.Result r = Search.run(m, LayerProfiles.of(m), c, base(2560), 5, n -> { });
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
        assertThat(r.best()).isNotEmpty().allMatch(Plan::fits);
        assertThat(r.best().getFirst().time().mfu()).isBetween(0.2, 0.7);
    }
}
