package wanka.plan;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTML report is well-formed and holds the figures of the text report. */
class HtmlReportTest {
    static Document parse(String html) throws Exception {
        assertThat(html).doesNotContain("<script").doesNotContain("http://cdn").doesNotContain("https://");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPlanReportIsWellFormedWithItsChartsAndTheTextReportsFigures() throws Exception {
        ModelSpec m = ModelPresets.get("telechat2-115b");
        Cluster c = ClusterPresets.get("910b", 64);
        for (Plan p : List.of(Plan.of(m, LayerProfiles.of(m), c, LayoutTest.layout(8, 8, 8, 3, 1, 1024)),
                Plan.optimized(m, LayerProfiles.of(m), c, LayoutTest.layout(8, 8, 8, 3, 1, 64), 40e9, Map.of()))) {
            Document d = parse(HtmlReport.plan(p));
            String text = d.getDocumentElement().getTextContent();
            assertThat(d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(2);
            // Eight stages of stacked memory bars (six parts each) and a timeline with forward and backward blocks.
            assertThat(d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").getLength()).isGreaterThan(8 * 6 + 100);
            for (Map.Entry<String, Double> e : PlanReport.memoryParts(p.memory()).entrySet()) {
                assertThat(text).contains(e.getKey()).contains(String.format(Locale.ROOT, "%.2f", e.getValue() / 1e9));
            }
            for (Map.Entry<String, Double> e : PlanReport.timeParts(p.time()).entrySet()) {
                assertThat(text).contains(e.getKey()).contains(String.format(Locale.ROOT, "%.2f", e.getValue()));
            }
            assertThat(text).contains(String.format(Locale.ROOT, "%.2f s", p.time().total()))
                    .contains(String.format(Locale.ROOT, "%.1f%%", 100 * p.time().mfu()));
            for (String b : PlanReport.bottlenecks(p)) assertThat(text).contains(b);
            for (int r = 0; r < 8; r++) assertThat(text).contains("stage " + r);
            if (p.recompute() != null) assertThat(text).contains("Recompute plan").contains("recompute mlp-act-out");
        }
    }

    @Test
    void aSearchReportHasTheFrontierAndTheBestLayouts() throws Exception {
        ModelSpec m = ModelPresets.get("telechat2-115b");
        Cluster c = ClusterPresets.get("910b", 64);
        Layout base = SearchTest.base(1024);
        Search.Result r = Search.run(m, LayerProfiles.of(m), c, base, 3, n -> { });
        List<Search.Point> pts = Search.points(m, LayerProfiles.of(m), c, base, 4000);
        assertThat(pts).hasSize(r.candidates() + r.outOfMemory());
        assertThat(pts.stream().filter(Search.Point::fits).count()).isEqualTo(r.candidates());
        Document d = parse(HtmlReport.search(r, pts, "Searched it"));
        String text = d.getDocumentElement().getTextContent();
        assertThat(d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(3);
        assertThat(d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "circle").getLength()).isEqualTo(pts.size() + 3);
        assertThat(text).contains("Searched it").contains("Best layout in detail");
        for (Plan p : r.best()) assertThat(text).contains(p.layout().describe()).contains(String.format(Locale.ROOT, "%.2f", p.time().total()));
    }
}
