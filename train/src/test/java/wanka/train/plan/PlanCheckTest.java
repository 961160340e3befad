package wanka.train.plan;

import org.junit.jupiter.api.Test;
import wanka.train.parallel.StepLog;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pretrain --plan}'s comparison: the median of the steps after the first, the largest peak, the rank's stage. */
class PlanCheckTest {
    static StepLog log(int rank, long step, double ms, long peak) {
        return new StepLog(rank, step, 1, 1e-3, 1, ms, ms, 0, 0, 0, peak, Map.of(), 1, 1);
    }

    @Test
    void comparesEachRankWithItsStageAfterTheFirstSteps() {
        PlanFile.LayoutEntry layout = new PlanFile.LayoutEntry(2, 1, 2, 1, 1, 4, 16, 0, false, 1, false, new PlanFile.PrecisionEntry(4, 4, 8, 4));
        PlanFile base = TestPlans.plan(layout, 4, Map.of());
        List<PlanFile.StageEntry> stages = List.of(new PlanFile.StageEntry(0, base.stages().get(0).layers(), 1000, 0),
                new PlanFile.StageEntry(1, base.stages().get(1).layers(), 2000, 0));
        PlanFile plan = new PlanFile(PlanFile.FORMAT, "m", 0, "cpu", 1, layout, "none", 0, stages, new PlanFile.Predicted(2.0, 2000, 0, 0));
        PlanCheck check = new PlanCheck(plan, 10);
        // World rank 3 = dp rank 1 of pipeline stage 1 (tp fastest, then dp, then pp).
        assertThat(check.accept(log(3, 1, 9000, 1500))).isNull();
        assertThat(check.accept(log(3, 2, 2500, 1800))).isNull();
        PlanCheck.Comparison c = check.accept(log(3, 3, 1500, 1900));
        assertThat(c.stage()).isEqualTo(1);
        assertThat(c.measuredSeconds()).isEqualTo(2.0); // median of 2.5 and 1.5: the warm-up step is left out
        assertThat(c.measuredPeak()).isEqualTo(1900);
        assertThat(c.predictedPeak()).isEqualTo(2000);
        assertThat(c.timeError()).isEqualTo(0.0);
        assertThat(c.describe()).isEqualTo("plan check rank 3 (stage 1): step 2.000 s measured, 2.000 s predicted (+0.0 %); peak 0.0 MB measured, 0.0 MB predicted (+5.3 %)");
        assertThat(check.accept(log(3, 4, 1000, 1))).isNull(); // reported once
        // A one-step run compares its only step.
        assertThat(new PlanCheck(plan, 1).accept(log(0, 1, 4000, 900)).measuredSeconds()).isEqualTo(4.0);
    }
}
