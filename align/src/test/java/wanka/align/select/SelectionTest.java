package wanka.align.select;

import org.junit.jupiter.api.Test;
import wanka.align.sft.SftSample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters, per-category k-means, centre selection and ranking, each decision with its reason. */
class SelectionTest {

    /** 40 samples: two categories, each with two well separated blobs; IFD rises with the index; sample 5 has IFD > 1. */
    static List<SelectionSample> samples() {
        List<SelectionSample> out = new ArrayList<>();
        SftSample dummy = new SftSample(Path.of("d"), 1, new int[]{1, 2}, new boolean[]{false, true});
        for (int i = 0; i < 40; i++) {
            out.add(new SelectionSample(i, Path.of("d.jsonl"), i + 1, "{\"i\": " + i + "}", List.of(new wanka.tokenizer.ChatTemplate.Message(wanka.tokenizer.ChatTemplate.Role.ASSISTANT, "a" + i)),
                    i < 20 ? "logic" : "cognition", dummy, dummy));
        }
        return out;
    }

    static Map<Long, AnswerStats> stats() {
        Map<Long, AnswerStats> m = new HashMap<>();
        for (int i = 0; i < 40; i++) m.put((long) i, new AnswerStats(i == 5 ? 2.5 : 0.5 + 0.01 * i, 2.0, Double.NaN, 10 + i));
        return m;
    }

    static double[][] embeddings() {
        Random r = new Random(1);
        double[][] x = new double[40][8];
        for (int i = 0; i < 40; i++) {
            int blob = (i / 10) % 4;
            for (int j = 0; j < 8; j++) x[i][j] = (j == blob ? 10 : 0) + 0.1 * r.nextGaussian();
        }
        return x;
    }

    @Test
    void cherryRuleThenCentreSelectionPerCategoryThenRankingByIfd() {
        List<SelectionSample> s = samples();
        Selection sel = Selection.of(s, stats(), embeddings(), new SelectionPlan(new Scorer.Ifd(), 6, true, 0, 100, 2, 3, 7));
        assertThat(sel.decisions().get(5).kept()).isFalse();
        assertThat(sel.decisions().get(5).reason()).startsWith("IFD 1.2500 >= 1");
        assertThat(sel.clustering().clusters()).hasSize(4);
        for (Clustering.Cluster c : sel.clustering().clusters()) {
            List<Integer> members = c.members().stream().map(m -> sel.clustered().get(m)).toList();
            int blob = members.getFirst() / 10;
            assertThat(members).as("a cluster is one blob").allSatisfy(i -> assertThat(i / 10).isEqualTo(blob));
            assertThat(c.category()).isEqualTo(blob < 2 ? "logic" : "cognition");
        }
        long candidates = sel.decisions().stream().filter(d -> !d.reason().startsWith("IFD") && !d.reason().startsWith("cluster")).count();
        assertThat(candidates).as("3 nearest per cluster").isEqualTo(12);
        assertThat(sel.keptCount()).isEqualTo(6);
        List<Decision> kept = sel.decisions().stream().filter(Decision::kept).toList();
        double lowestKept = kept.stream().mapToDouble(Decision::score).min().orElseThrow();
        assertThat(sel.decisions().stream().filter(d -> !d.kept() && d.reason().startsWith("ranked")).mapToDouble(Decision::score).max().orElseThrow())
                .isLessThanOrEqualTo(lowestKept);
        assertThat(kept.getFirst().reason()).startsWith("kept: ifd").contains("candidates by ifd").contains("nearest to the centre");
        String md = SelectionReport.markdown(s, sel, new SelectionPlan(new Scorer.Ifd(), 6, true, 0, 100, 2, 3, 7));
        assertThat(md).contains("Kept 6 of 40").contains("| IFD >= 1 | 1 |").contains("not near a cluster centre").contains("| logic |");
    }

    @Test
    void pplBandAndBudgetAsAFractionAndASeededRandomOrder() {
        List<SelectionSample> s = samples();
        Selection band = Selection.of(s, stats(), null, new SelectionPlan(new Scorer.Length(), 0.25, false, 10, 90, 0, 0, 1));
        long outside = band.decisions().stream().filter(d -> d.reason().startsWith("PPL")).count();
        assertThat(outside).isEqualTo(8); // 4 below p10 and 4 above p90 of 40 distinct values
        assertThat(band.keptCount()).isEqualTo(10);
        Selection r1 = Selection.of(s, stats(), null, new SelectionPlan(null, 0.1, false, 0, 100, 0, 0, 3));
        Selection r2 = Selection.of(s, stats(), null, new SelectionPlan(null, 0.1, false, 0, 100, 0, 0, 3));
        Selection r3 = Selection.of(s, stats(), null, new SelectionPlan(null, 0.1, false, 0, 100, 0, 0, 4));
        assertThat(r1.decisions()).isEqualTo(r2.decisions());
        assertThat(r1.keptCount()).isEqualTo(4);
        assertThat(r1.decisions().stream().map(Decision::kept).toList()).isNotEqualTo(r3.decisions().stream().map(Decision::kept).toList());
    }
}
