package wanka.align.pref;

import org.junit.jupiter.api.Test;
import wanka.align.ops.VectorLoss;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** DPO(+NLL) and Bradley–Terry against the reference values of algorithms.md §4.5, and their gradients by finite differences. */
class LossReferenceValuesTest {
    private static final DpoLoss SIGMOID = new DpoLoss(0.1, 0, new PreferenceLoss.Sigmoid());

    private static double loss(VectorLoss f, double... x) {
        return f.value(x, new double[x.length]);
    }

    @Test
    void dpoAtInitialisationIsLn2() {
        assertThat(loss(SIGMOID.over(new double[]{-7}, new double[]{-9}, new int[]{5}), -7, -9)).isCloseTo(Math.log(2), offset(1e-12));
        assertThat(Math.log(2)).isCloseTo(0.6931471824645996, offset(1e-7)); // TRL's invariant test, step 1
    }

    @Test
    void dpoSection45Values() {
        double[] ref = {-11}, refR = {-11};
        assertThat(loss(SIGMOID.over(ref, refR, new int[]{10}), -10, -12)).isCloseTo(0.598139, offset(5e-7));
        DpoLoss.Stats s = SIGMOID.stats(new double[]{-10}, new double[]{-12}, ref, refR, new int[]{10});
        assertThat(s.chosenReward()).isCloseTo(0.1, offset(1e-12));
        assertThat(s.rejectedReward()).isCloseTo(-0.1, offset(1e-12));
        assertThat(s.margin()).isCloseTo(0.2, offset(1e-12));
        assertThat(s.accuracy()).isEqualTo(1.0);
        DpoLoss rpo = new DpoLoss(0.1, 1, new PreferenceLoss.Sigmoid());
        assertThat(loss(rpo.over(ref, refR, new int[]{10}), -10, -12)).isCloseTo(1.598139, offset(5e-7));
        assertThat(rpo.stats(new double[]{-10}, new double[]{-12}, ref, refR, new int[]{10}).nll()).isCloseTo(1.0, offset(1e-12));
    }

    @Test
    void ipoAndHingeFollowTheirDefinitions() {
        // z = 2, beta = 0.1: IPO (2 - 5)^2 = 9; hinge max(0, 1 - 0.2) = 0.8
        assertThat(loss(new DpoLoss(0.1, 0, new PreferenceLoss.Ipo()).over(new double[]{-11}, new double[]{-11}, new int[]{1}), -10, -12)).isCloseTo(9, offset(1e-12));
        assertThat(loss(new DpoLoss(0.1, 0, new PreferenceLoss.Hinge()).over(new double[]{-11}, new double[]{-11}, new int[]{1}), -10, -12)).isCloseTo(0.8, offset(1e-12));
    }

    @Test
    void bradleyTerrySection45Values() {
        assertThat(loss(new BradleyTerry(0).over(new double[]{0}), 2.0, 0.5)).isCloseTo(0.201413, offset(5e-7));
        assertThat(loss(new BradleyTerry(0).over(new double[]{1}), 2.0, 0.5)).isCloseTo(0.474077, offset(5e-7));
        // centring adds c·(r_c + r_r)^2 = 0.01 · 6.25
        assertThat(loss(new BradleyTerry(0.01).over(new double[]{0}), 2.0, 0.5)).isCloseTo(0.201413 + 0.0625, offset(5e-7));
        assertThat(BradleyTerry.accuracy(new double[]{1, 0, 3}, new double[]{0, 1, 2})).isCloseTo(2 / 3.0, offset(1e-12));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(1);
        double[] refC = {-11, -20, -5}, refR = {-12, -18, -6};
        int[] tokens = {10, 7, 3};
        VectorLoss[] losses = {
                new DpoLoss(0.1, 1, new PreferenceLoss.Sigmoid()).over(refC, refR, tokens),
                new DpoLoss(0.5, 0.2, new PreferenceLoss.Ipo()).over(refC, refR, tokens),
                new DpoLoss(0.1, 0, new PreferenceLoss.Hinge()).over(refC, refR, tokens),
                new BradleyTerry(0.01).over(new double[]{0, 1, 0.5})};
        for (VectorLoss f : losses) {
            double[] x = new double[6];
            for (int i = 0; i < 6; i++) x[i] = -15 + 10 * r.nextDouble();
            double[] g = new double[6];
            f.value(x, g);
            for (int i = 0; i < 6; i++) {
                double keep = x[i], eps = 1e-6;
                x[i] = keep + eps;
                double up = loss(f, x);
                x[i] = keep - eps;
                double down = loss(f, x);
                x[i] = keep;
                assertThat(g[i]).as("d/dx%d", i).isCloseTo((up - down) / (2 * eps), offset(1e-6));
            }
        }
    }
}
