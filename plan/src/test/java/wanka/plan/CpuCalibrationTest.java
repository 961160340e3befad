package wanka.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code wanka plan calibrate}: this machine measured into a cluster file that --cluster accepts. */
class CpuCalibrationTest {
    @Test
    void measuresThisMachineIntoAClusterFileThatPlansRead(@TempDir Path dir) throws Exception {
        CpuCalibration.Measurement x = CpuCalibration.measure(1, 0.05);
        assertThat(x.seconds()).isLessThan(30);
        assertThat(x.gemms()).hasSize(5).allMatch(g -> g.flopsPerSecond() > 1e8);
        assertThat(x.copyBytesPerSecond()).isGreaterThan(1e8);
        assertThat(x.swigluBytesPerSecond()).isGreaterThan(1e7);
        assertThat(x.kernelSeconds()).isPositive().isLessThan(0.01);
        assertThat(x.usableBytes()).isPositive().isLessThanOrEqualTo(x.memoryBytes());
        assertThat(x.allReduceLatency()).isGreaterThanOrEqualTo(0).isLessThan(0.01);
        assertThat(x.allReduceBytesPerSecond()).isGreaterThan(1e7);
        Cluster c = CpuCalibration.toCluster(x, "cpu-test");
        assertThat(c.accelerator().peak16()).isEqualTo(x.peak());
        assertThat(c.efficiency().matmul()).isBetween(0.01, 1.0);
        Path f = dir.resolve("cpu.json");
        ClusterFile.write(c, f);
        assertThat(ClusterFile.read(f)).isEqualTo(c);
        Cluster two = ClusterPresets.get(f.toString(), 2);
        assertThat(two.worldSize()).isEqualTo(2);
        assertThat(two.accelerator()).isEqualTo(c.accelerator());
        // A plan on it: a small TeleChat2 on this machine.
        ModelSpec m = ModelPresets.get("telechat2-3b");
        Layout lay = new Layout(1, 1, 1, 1, 1, 4, 512, ZeroStage.ZERO_0, false, 1, Recompute.NONE, true, Precision.BF16_FP32_GRADS);
        assertThat(Plan.of(m, LayerProfiles.of(m), ClusterPresets.get(f.toString(), 1), lay).time().total()).isPositive();
        assertThat(PlanReport.text(Plan.of(m, LayerProfiles.of(m), c, lay))).contains("GFLOP/s 16-bit");
    }

    @Test
    void twoRanksAtOnceAreMeasuredPerRankAndTheirAllReduceIsTheLink() {
        CpuCalibration.Measurement x = CpuCalibration.measure(2, 1, 0.05);
        assertThat(x.ranks()).isEqualTo(2);
        assertThat(x.gemms()).hasSize(5).allMatch(g -> g.flopsPerSecond() > 1e8);
        Cluster c = CpuCalibration.toCluster(x, "cpu-2x1t");
        assertThat(c.intra()).isEqualTo(new Link(x.allReduceBytesPerSecond(), x.allReduceLatency()));
        assertThat(c.calibratedOn()).contains("2 ranks at once");
    }

    @Test
    void theAllReduceFitRecoversAlphaAndBetaOfTheRingModel() {
        double alpha = 7e-6, beta = 3e9;
        for (int n : new int[]{2, 3, 4}) {
            double s1 = 4096, s2 = 4 << 20;
            double t1 = Collectives.ringAllReduce(s1, n, alpha, beta), t2 = Collectives.ringAllReduce(s2, n, alpha, beta);
            double[] fit = InProcessAllReduce.fit(n, s1, t1, s2, t2);
            assertThat(fit[0]).isCloseTo(alpha, org.assertj.core.data.Percentage.withPercentage(1e-6));
            assertThat(fit[1]).isCloseTo(beta, org.assertj.core.data.Percentage.withPercentage(1e-6));
        }
    }

    @Test
    void badClusterFilesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"format\":\"wanka-cluster/9\"}");
        assertThatThrownBy(() -> ClusterPresets.get(f.toString(), 1)).hasMessageContaining("not a wanka-cluster/1 cluster file");
        assertThatThrownBy(() -> ClusterPresets.get(dir.resolve("none.json").toString(), 1))
                .hasMessageContaining("does not exist").hasMessageContaining("known clusters: 910b");
    }
}
