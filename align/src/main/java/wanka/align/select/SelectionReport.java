package wanka.align.select;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outputs of a selection: {@code selected.jsonl} (the kept lines, unchanged, in dataset order),
 * {@code decisions.jsonl} (every sample: index, source, kept, reason, cluster, score) and {@code report.md} (counts,
 * why samples were dropped, cluster sizes with their nearest examples). Each is written atomically.
 */
public final class SelectionReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SelectionReport() {
    }

    public static void write(Path dir, List<SelectionSample> samples, Selection sel, SelectionPlan plan) throws IOException {
        StringBuilder kept = new StringBuilder(), decisions = new StringBuilder();
        for (int i = 0; i < samples.size(); i++) {
            SelectionSample s = samples.get(i);
            Decision d = sel.decisions().get(i);
            if (d.kept()) kept.append(s.text()).append('\n');
            ObjectNode n = JSON.createObjectNode();
            n.put("index", d.index());
            n.put("source", s.file() + ":" + s.line());
            n.put("kept", d.kept());
            n.put("reason", d.reason());
            n.put("category", s.category());
            if (d.cluster() >= 0) n.put("cluster", d.cluster());
            if (!Double.isNaN(d.score())) n.put("score", d.score());
            decisions.append(JSON.writeValueAsString(n)).append('\n');
        }
        AtomicFiles.write(dir.resolve("selected.jsonl"), kept.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("decisions.jsonl"), decisions.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("report.md"), markdown(samples, sel, plan).getBytes(StandardCharsets.UTF_8));
    }

    static String markdown(List<SelectionSample> samples, Selection sel, SelectionPlan plan) {
        StringBuilder sb = new StringBuilder("# Data selection\n\n");
        sb.append(String.format("Kept %d of %d samples (budget %d); ranked by %s.%n%n", sel.keptCount(), samples.size(), plan.budget(samples.size()),
                plan.rankBy() == null ? "a random order" : plan.rankBy().name()));
        Map<String, Integer> why = new TreeMap<>();
        for (Decision d : sel.decisions()) {
            if (d.kept()) continue;
            String r = d.reason();
            String kind = r.startsWith("IFD") ? "IFD >= 1" : r.startsWith("PPL") ? "PPL outside the band" : r.startsWith("cluster") ? "not near a cluster centre"
                    : "below the budget";
            why.merge(kind, 1, Integer::sum);
        }
        sb.append("| dropped because | samples |\n|---|---:|\n");
        why.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        if (sel.clustering() != null) {
            sb.append("\n## Clusters\n\n| cluster | category | size | kept | nearest to the centre |\n|---:|---|---:|---:|---|\n");
            for (Clustering.Cluster c : sel.clustering().clusters()) {
                long k = c.members().stream().filter(m -> sel.decisions().get(sel.clustered().get(m)).kept()).count();
                StringBuilder ex = new StringBuilder();
                for (int m : c.members().subList(0, Math.min(2, c.members().size()))) {
                    if (!ex.isEmpty()) ex.append(" / ");
                    ex.append(shorten(samples.get(sel.clustered().get(m)).instruction()));
                }
                sb.append(String.format("| %d | %s | %d | %d | %s |%n", c.id(), c.category(), c.members().size(), k, ex));
            }
        }
        return sb.toString();
    }

    private static String shorten(String s) {
        String t = s.replace('\n', ' ').replace("|", "\\|");
        return t.length() > 60 ? t.substring(0, 57) + "…" : t;
    }
}
