package wanka.plan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Guards the accuracy the calibrated A100 constants reach; a change that makes the model worse fails here. */
class CalibrationTest {
    static final List<Calibration.Run> RUNS = Calibration.vTrainMultiNode();

    @Test
    void theDeclaredSplitCoversAllRows() {
        assertThat(RUNS).hasSize(109);
        assertThat(Calibration.fitSplit(RUNS)).hasSize(55);
        assertThat(Calibration.heldOut(RUNS)).hasSize(54);
        assertThat(Calibration.fitSplit(RUNS)).noneMatch(r -> Calibration.heldOut(RUNS).contains(r));
    }

    @Test
    void heldOutStepTimeErrorAndRanking() {
        // vTrain reports 14.73 % MAPE on its multi-node rows; the target is <= 10 %. Achieved: 6.73 %, Spearman 0.937.
        Calibration.Accuracy held = Calibration.accuracy(Calibration.heldOut(RUNS), ClusterPresets.A100_FIT);
        assertThat(held.mape()).isLessThan(6.8);
        assertThat(held.spearman()).isGreaterThan(0.93);
        Calibration.Accuracy fit = Calibration.accuracy(Calibration.fitSplit(RUNS), ClusterPresets.A100_FIT);
        assertThat(fit.mape()).isLessThan(5.0);
    }

    @Test
    void eachRowOfNarayananTable1IsWithinEightPercent() {
        for (Calibration.PublishedRun r : Calibration.narayananTable1()) {
            double[] p = Calibration.predict(r, ClusterPresets.A100_FIT);
            assertThat(Math.abs(p[0] / r.seconds() - 1)).as(r.model()).isLessThan(0.08);
        }
    }

    @Test
    void spearmanAndMapeAreTheTextbookOnes() {
        assertThat(Calibration.spearman(new double[]{1, 2, 3, 4}, new double[]{10, 20, 30, 40})).isEqualTo(1.0);
        assertThat(Calibration.spearman(new double[]{1, 2, 3}, new double[]{3, 2, 1})).isEqualTo(-1.0);
        assertThat(Calibration.mape(new double[]{110, 90}, new double[]{100, 100})).isEqualTo(10.0);
    }

    @Test
    void fittingImprovesOnItsStartingPoint() {
        List<Calibration.Run> fit = Calibration.fitSplit(RUNS).subList(0, 20);
        Efficiency start = new Efficiency(0.5, 0.5, 0.5, 1e-5, 0.5, 0.5);
        Efficiency e = Calibration.fit(fit, start, 40);
        assertThat(Calibration.accuracy(fit, e).mape()).isLessThan(Calibration.accuracy(fit, start).mape());
    }
}
