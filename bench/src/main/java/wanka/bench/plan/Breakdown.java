package wanka.bench.plan;

import wanka.plan.Cluster;
import wanka.plan.CpuRates;
import wanka.plan.LayerProfiles;
import wanka.plan.Layout;
import wanka.plan.ModelSpec;
import wanka.plan.TimeModel;
import wanka.tensor.OpTimes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code wanka bench plan --breakdown}: a real step's ops, timed on the CPU device ({@link OpTimes}), beside the time
 * model's prediction for the same op classes ({@link TimeModel.Breakdown}), per step on the rank the model calls critical
 * (rank 0 of the critical pipeline stage); then every matrix multiply shape measured beside its price at that shape when
 * the profile has measured rates ({@link CpuRates}).
 */
final class Breakdown {
    private Breakdown() {
    }

    /** The op class of an op timer key. */
    static String classOf(String key) {
        String op = key.split("[ .]", 2)[0];
        return switch (op) {
            case "linear" -> "matmul";
            case "attention" -> "attention";
            case "lm_head_cross_entropy", "vocab_parallel_cross_entropy" -> "loss (LM head)";
            case "adamw", "grad_scale_and_norm" -> "optimizer";
            case "copy_to_tp", "reduce_from_tp", "gather_rows", "reduce_scatter_rows", "grad_ready", "replica_region" -> "communication ops";
            default -> "element-wise and norms";
        };
    }

    static String table(String layout, ModelSpec m, Cluster c, Layout lay, Map<Integer, PlanBench.RankOps> ops) {
        TimeModel.Breakdown p = TimeModel.breakdown(m, LayerProfiles.of(m), c, lay);
        int rank = p.stage() * lay.tp() * lay.dp();
        PlanBench.RankOps r = ops.get(rank);
        StringBuilder out = new StringBuilder();
        if (r == null) return "no op times for rank " + rank + " of " + layout + "\n";
        double n = r.steps();
        Map<String, Double> measured = new LinkedHashMap<>();
        for (String k : List.of("matmul", "attention", "element-wise and norms", "loss (LM head)", "optimizer", "communication ops")) measured.put(k, 0.0);
        double timed = 0;
        for (OpTimes.Entry e : r.ops().values()) {
            String k = classOf(e.key());
            measured.merge(k, e.nanos() / 1e9 / n, Double::sum);
            if (!k.equals("communication ops")) timed += e.nanos() / 1e9 / n;
        }
        double step = r.stepSeconds() / n, comm = r.exposedCommSeconds() / n, wait = r.bubbleSeconds() / n;
        out.append(String.format(Locale.ROOT, "%n#### %s: a step of rank %d (pipeline stage %d) by op class, ms per step (mean over %d measured steps)%n%n",
                layout, rank, p.stage(), r.steps()));
        out.append("| op class | measured ms | predicted ms | predicted / measured |\n|---|---|---|---|\n");
        row(out, "matmul (layers)", measured.get("matmul"), p.matmul());
        row(out, "attention", measured.get("attention"), p.attention());
        row(out, "element-wise and norms (with embedding)", measured.get("element-wise and norms"), p.elementwise());
        row(out, "loss (LM head multiplies and softmax)", measured.get("loss (LM head)"), p.loss());
        row(out, "allocation and zeroing (measured: inside the ops above)", Double.NaN, p.allocation());
        row(out, "kernel overhead (measured: inside the ops above)", Double.NaN, p.overhead());
        row(out, "recompute (measured: inside the backward ops)", Double.NaN, p.recompute());
        row(out, "optimizer (grad scale, norm, AdamW)", measured.get("optimizer"), p.optimizer());
        row(out, "exposed communication (TP + DP)", comm, p.tpComm() + p.dpComm());
        row(out, "pipeline waits", wait, p.ppWait());
        row(out, "other (step − timed ops − communication − waits)", step - timed - comm - wait, Double.NaN);
        row(out, "**step**", step, p.total());
        out.append(String.format(Locale.ROOT, "%nallocated on the device: %.0f MB per step; communication ops' own backward (inside exposed communication): %.1f ms%n",
                r.allocatedBytes() / n / 1e6, 1e3 * measured.get("communication ops")));
        CpuRates rates = c.rates();
        out.append("\n| matrix multiply (rows × outputs × inputs) | calls per step | measured ms per step | predicted ms per step | predicted / measured |\n|---|---|---|---|---|\n");
        Map<String, OpTimes.Entry> mm = new TreeMap<>();
        for (OpTimes.Entry e : r.ops().values()) if (e.key().startsWith("linear")) mm.put(e.key(), e);
        for (OpTimes.Entry e : mm.values()) {
            double ms = e.nanos() / 1e6 / n, pred = Double.NaN;
            String[] dims = e.key().substring(e.key().lastIndexOf(' ') + 1).split("×");
            if (rates != null && dims.length == 3) {
                double rows = Double.parseDouble(dims[0]), o = Double.parseDouble(dims[1]), in = Double.parseDouble(dims[2]);
                double one = e.key().startsWith("linear.backward") ? rates.gemmSeconds("NN", rows, in, o) + rates.gemmSeconds("TN", o, in, rows)
                        : rates.gemmSeconds("NT", rows, o, in);
                pred = 1e3 * one * e.calls() / n;
            }
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %s | %s |%n", e.key(), e.calls() / n, ms, Double.isNaN(pred) ? "–" : String.format(Locale.ROOT, "%.2f", pred),
                    Double.isNaN(pred) ? "–" : String.format(Locale.ROOT, "%.2f", pred / ms)));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, double measured, double predicted) {
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, Double.isNaN(measured) ? "–" : String.format(Locale.ROOT, "%.1f", 1e3 * measured),
                Double.isNaN(predicted) ? "–" : String.format(Locale.ROOT, "%.1f", 1e3 * predicted),
                Double.isNaN(measured) || Double.isNaN(predicted) || measured <= 0 ? "–" : String.format(Locale.ROOT, "%.2f", predicted / measured)));
    }
}
