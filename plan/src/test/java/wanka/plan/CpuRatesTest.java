package wanka.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.Presets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The measured CPU rates: the per-shape look-up, the pricing that uses them, and profiles written without them. */
class CpuRatesTest {
    static final int[] GRID = {128, 512, 2048};

    /** A grid whose rate is a known function of the shape: 1e9 · m^0.3 · n^0.2 · k^0.1 (log-linear, so interpolation is exact). */
    static CpuRates rates(double drift) {
        List<CpuRates.Gemm> g = new ArrayList<>();
        for (String f : new String[]{"NT", "NN", "TN"}) {
            for (int m : GRID) for (int n : GRID) for (int k : GRID) g.add(new CpuRates.Gemm(f, m, n, k, rate(f, m, n, k)));
        }
        List<CpuRates.Attention> a = new ArrayList<>();
        for (int s : new int[]{64, 256, 1024}) for (int d : new int[]{32, 128}) a.add(new CpuRates.Attention(s, d, 1e9 * s, 2e9 * d));
        return new CpuRates(g, a, List.of(new CpuRates.Elementwise(1e5, 2e10), new CpuRates.Elementwise(1e7, 5e9)), 8e9, 1e8, drift == 0 ? List.of() : List.of(new CpuRates.Drift(10, 10 * drift)));
    }

    static double rate(String form, double m, double n, double k) {
        return (form.equals("TN") ? 0.5e9 : 1e9) * Math.pow(m, 0.3) * Math.pow(n, 0.2) * Math.pow(k, 0.1);
    }

    @Test
    void gemmRatesAreExactOnTheGridInterpolatedInLogsBetweenAndClampedOutside() {
        CpuRates r = rates(0);
        assertThat(r.gemm("NN", 512, 128, 2048)).isCloseTo(rate("NN", 512, 128, 2048), within(1.0));
        // log-linear in every axis: exact anywhere inside
        assertThat(r.gemm("NT", 1024, 300, 700)).isCloseTo(rate("NT", 1024, 300, 700), within(rate("NT", 1024, 300, 700) * 1e-9));
        assertThat(r.gemm("TN", 256, 2000, 129)).isCloseTo(rate("TN", 256, 2000, 129), within(rate("TN", 256, 2000, 129) * 1e-9));
        // outside: the edge
        assertThat(r.gemm("NT", 64, 8192, 4096)).isCloseTo(rate("NT", 128, 2048, 2048), within(1.0));
        assertThat(r.gemmSeconds("NT", 1024, 256, 256)).isCloseTo(2.0 * 1024 * 256 * 256 / rate("NT", 1024, 256, 256), within(1e-15));
        assertThat(r.gemmSeconds("NT", 0, 256, 256)).isZero();
        // attention: forward follows s, backward the head dimension
        assertThat(r.attentionForward(128, 64)).isCloseTo(1e9 * 128, within(1e-3));
        assertThat(r.attentionBackward(128, 64)).isCloseTo(2e9 * 64, within(1e-3));
        assertThat(r.attentionForward(4096, 16)).isCloseTo(1e9 * 1024, within(1e-3));
        // element-wise by tensor size: the points, the geometric mean half-way in logs, the edges outside
        assertThat(r.elementwise(1e5)).isCloseTo(2e10, within(1.0));
        assertThat(r.elementwise(1e6)).isCloseTo(1e10, within(1.0));
        assertThat(r.elementwise(1e9)).isCloseTo(5e9, within(1.0));
        assertThat(r.elementwise(10)).isCloseTo(2e10, within(1.0));
    }

    @Test
    void anIncompleteGridOrUnknownFormIsNamed() {
        CpuRates full = rates(0);
        List<CpuRates.Gemm> missing = new ArrayList<>(full.gemm());
        missing.removeIf(g -> g.form().equals("NN") && g.m() == 512 && g.n() == 512 && g.k() == 512);
        CpuRates holes = new CpuRates(missing, full.attention(), full.elementwise(), 1, 1, List.of());
        assertThatThrownBy(() -> holes.gemm("NN", 300, 300, 300)).hasMessageContaining("no point 512×512×512");
        assertThatThrownBy(() -> full.gemm("TT", 300, 300, 300)).hasMessageContaining("no GEMM rates for form TT");
        assertThatThrownBy(() -> new CpuRates(full.gemm(), full.attention(), full.elementwise(), 1, 1, List.of(new CpuRates.Drift(1e-3, -1)))).hasMessageContaining("drift needs");
    }

    @Test
    void theWaitAtACollectiveFollowsAPowerLawThroughTheMeasuredPoints() {
        CpuRates r = rates(0).withDrift(List.of(new CpuRates.Drift(1e-1, 1e-3), new CpuRates.Drift(1e-3, 1e-4)));
        assertThat(r.waitAfter(1e-3)).isCloseTo(1e-4, within(1e-12));
        assertThat(r.waitAfter(1e-2)).isCloseTo(1e-4 * Math.sqrt(10), within(1e-12)); // exponent log 10 / log 100 = 0.5
        assertThat(r.waitAfter(1)).isCloseTo(1e-3, within(1e-12)); // beyond: the longest point's wait
        assertThat(r.waitAfter(5e-4)).isCloseTo(0.5e-4, within(1e-12)); // below: in proportion
        assertThat(r.waitAfter(0)).isZero();
        assertThat(rates(0).waitAfter(1)).isZero();
        assertThat(rates(0).withDrift(List.of(new CpuRates.Drift(1e-3, 1e-4), new CpuRates.Drift(1e-1, 1e-5))).waitAfter(1)).isCloseTo(1e-5, within(1e-12));
    }

    static Cluster cpu(CpuRates rates) {
        Cluster base = BadInputTest.cpu();
        return new Cluster(base.name(), base.accelerator(), 2, 1, base.intra(), base.inter(), base.efficiency(), base.calibratedOn(),
                base.precision(), base.stack(), rates);
    }

    @Test
    void theLayersMatrixMultipliesAreTheTracedOnesAndArePricedAtTheirShapes() {
        for (String name : new String[]{"tiny", "telechat2-7b"}) {
            ModelSpec m = ModelSpec.of(name, Presets.get(name));
            LayerProfile prof = LayerProfiles.of(m);
            double perToken = MeasuredPricing.linears(m).stream().mapToDouble(l -> 2.0 * l.in() * l.out()).sum();
            assertThat(perToken).as(name).isCloseTo(prof.matmulPerToken(), within(prof.matmulPerToken() * 1e-9));
        }
        ModelSpec m = ModelSpec.of("tiny", Presets.get("tiny"));
        LayerProfile prof = LayerProfiles.of(m);
        assertThat(prof.allocatedForwardPerToken()).isPositive();
        assertThat(prof.allocatedBackwardPerToken()).isPositive();
        CpuRates r = rates(0);
        MeasuredPricing px = new MeasuredPricing(m, prof, cpu(r), Precision.FP32);
        double want = 0;
        for (MeasuredPricing.Linear l : MeasuredPricing.linears(m)) want += r.gemmSeconds("NT", 1024, l.outOn(2), l.inOn(2));
        assertThat(px.layerForward(4, 256, 2, false).matmul()).isCloseTo(want, within(want * 1e-12));
        double bwd = 0;
        for (MeasuredPricing.Linear l : MeasuredPricing.linears(m)) bwd += r.gemmSeconds("NN", 1024, l.inOn(1), l.outOn(1)) + r.gemmSeconds("TN", l.outOn(1), l.inOn(1), 1024);
        assertThat(px.layerBackward(4, 256, 1, false).matmul()).isCloseTo(bwd, within(bwd * 1e-12));
        double attn = prof.forward(4, 256, 1, false).attentionFlops() / r.attentionForward(256, m.headDim());
        assertThat(px.layerForward(4, 256, 1, false).attention()).isCloseTo(attn, within(attn * 1e-12));
        assertThat(px.optimizer(1e6)).isCloseTo(1e6 / 1e8, within(1e-15));
        assertThat(px.layerForward(4, 256, 1, false).allocation())
                .isCloseTo(prof.allocatedForwardPerToken() * 1024 / 8e9, within(1e-12));
    }

    @Test
    void blockingCollectivesWaitForTheMeasuredDriftOfTheComputeBeforeThem() {
        ModelSpec m = ModelSpec.of("tiny", Presets.get("tiny"));
        LayerProfile prof = LayerProfiles.of(m);
        Layout tp2 = new Layout(1, 2, 1, 1, 4, 8, 256, ZeroStage.ZERO_0, false, 1, Recompute.NONE, true, Precision.FP32);
        double d = 0.1;
        double with = TimeModel.estimate(m, prof, cpu(rates(d)), tp2).total(), without = TimeModel.estimate(m, prof, cpu(rates(0)), tp2).total();
        // per micro-batch (2): every layer's forward and backward (4 layers), and the loss's all-reduces after the head's forward
        MeasuredPricing px = new MeasuredPricing(m, prof, cpu(rates(d)), Precision.FP32);
        double compute = 2 * (4 * (px.layerForward(4, 256, 2, false).total() + px.layerBackward(4, 256, 2, false).total()) + px.head(1024, 2, false).total());
        assertThat(with - without).isCloseTo(d * compute, within(1e-9));
        // data parallel: the gradient reduction waits for the drift of the whole step's compute
        Layout dp2 = new Layout(2, 1, 1, 1, 2, 8, 256, ZeroStage.ZERO_0, false, 1, Recompute.NONE, true, Precision.FP32);
        StepTime a = TimeModel.estimate(m, prof, cpu(rates(d)), dp2), b = TimeModel.estimate(m, prof, cpu(rates(0)), dp2);
        assertThat(a.dpComm() - b.dpComm()).isCloseTo(d * (b.total() - b.dpComm() - b.optimizer()), within(1e-9));
        // one rank has nobody to wait for
        Layout one = new Layout(1, 1, 1, 1, 4, 8, 256, ZeroStage.ZERO_0, false, 1, Recompute.NONE, true, Precision.FP32);
        assertThat(TimeModel.estimate(m, prof, cpu(rates(d)), one).total()).isEqualTo(TimeModel.estimate(m, prof, cpu(rates(0)), one).total());
    }

    @Test
    void aProfileWithoutRatesStillLoadsAndIsPricedByTheRoofline(@TempDir Path dir) throws Exception {
        Cluster measured = cpu(rates(0));
        Path f = dir.resolve("cpu.json");
        ClusterFile.write(measured, f);
        assertThat(ClusterFile.read(f)).isEqualTo(measured);
        // a file written before the rates were measured: no "rates" key at all
        Cluster old = cpu(null);
        Path g = dir.resolve("old.json");
        ClusterFile.write(old, g);
        String text = Files.readString(g);
        assertThat(text).contains("\"rates\" : null");
        Files.writeString(g, text.replace(",\n    \"rates\" : null", ""));
        assertThat(Files.readString(g)).doesNotContain("rates");
        Cluster back = ClusterFile.read(g);
        assertThat(back.rates()).isNull();
        assertThat(back).isEqualTo(old);
        ModelSpec m = ModelSpec.of("tiny", Presets.get("tiny"));
        LayerProfile prof = LayerProfiles.of(m);
        Layout one = new Layout(1, 1, 1, 1, 4, 8, 256, ZeroStage.ZERO_0, false, 1, Recompute.NONE, true, Precision.FP32);
        Work.Seconds roof = prof.forward(4, 256, 1, false).seconds(back.computingIn(Precision.FP32));
        assertThat(TimeModel.breakdown(m, prof, back, one).matmul()).isCloseTo(4 * 2 * 3 * roof.matmul(), within(roof.matmul() * 1e-6));
        assertThat(TimeModel.breakdown(m, prof, back, one).allocation()).isZero();
    }
}
