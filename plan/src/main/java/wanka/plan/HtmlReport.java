package wanka.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DryRun as one self-contained HTML page (well-formed XHTML, inline SVG charts, no script, nothing fetched):
 * the figures of the text report ({@link PlanReport}), the memory stack of every pipeline stage against the budget,
 * a timeline of the pipeline schedule (per stage: forward, backward with its recomputation, point-to-point
 * transfers, bubbles, then the data-parallel reduction and the optimizer) over the first micro-batches, and for a
 * search the frontier of step time against memory of every valid layout, fitting or not.
 */
public final class HtmlReport {
    static final String[] MEMORY_COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948"};
    static final String FWD = "#4e79a7", BWD = "#f28e2b", RECOMPUTE = "#b07aa1", P2P = "#555555", BUBBLE = "#fbe3e3",
            DP = "#59a14f", OPT = "#edc948";

    private HtmlReport() {
    }

    /** The report of one plan. */
    public static String plan(Plan p) {
        StringBuilder sb = head("wanka plan: " + p.model().name() + " on " + p.cluster().worldSize() + " × " + p.cluster().name());
        sb.append(body(p));
        return sb.append("</body></html>\n").toString();
    }

    /**
     * The report of a search: what was searched, the best layouts, the frontier, then the best plan in full.
     *
     * @param summary the search's one-line summary, as the text report prints it
     * @param points  every valid layout's memory and step time ({@link Search#points})
     */
    public static String search(Search.Result r, List<Search.Point> points, String summary) {
        Plan best = r.best().isEmpty() ? null : r.best().getFirst();
        StringBuilder sb = head("wanka plan --search" + (best == null ? "" : ": " + best.model().name() + " on "
                + best.cluster().worldSize() + " × " + best.cluster().name()));
        sb.append("<p>").append(esc(summary)).append("</p>\n");
        if (best == null) {
            sb.append("<p class=\"bad\">No layout fits.</p>\n");
        } else {
            sb.append("<h2>Best layouts</h2>\n<table><tr><th>#</th><th class=\"l\">layout</th><th>step (s)</th><th>MFU</th><th>tok/s/dev</th><th>mem (GB)</th></tr>\n");
            int i = 1;
            for (Plan p : r.best()) {
                sb.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td>%.2f</td><td>%.1f%%</td><td>%.0f</td><td>%.1f</td></tr>%n",
                        i++, esc(p.layout().describe()), p.time().total(), 100 * p.time().mfu(),
                        p.time().tokensPerSecond() / p.cluster().worldSize(), p.memory().total() / 1e9));
            }
            sb.append("</table>\n");
        }
        sb.append("<h2>Frontier: step time against memory</h2>\n");
        sb.append("<p class=\"note\">Every valid layout of the search space, costed without pruning. Green: fits the usable memory; grey: does not. "
                + "The line joins the fitting layouts no other fitting layout beats on both; the numbered rings are the best layouts above.</p>\n");
        sb.append(frontier(points, r.best(), best == null ? Double.NaN : best.memory().usable()));
        if (best != null) sb.append("<h1>Best layout in detail</h1>\n").append(body(best));
        return sb.append("</body></html>\n").toString();
    }

    private static StringBuilder head(String title) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                + "<meta charset=\"utf-8\"/>\n<title>" + esc(title) + "</title>\n<style>\n"
                + "body{font-family:sans-serif;max-width:1240px;margin:24px auto;color:#222;line-height:1.4}\n"
                + "h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n"
                + "table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}\n"
                + "td:first-child,th:first-child,td.l,th.l{text-align:left}\n"
                + ".cards{display:flex;gap:14px;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:8px 14px}\n"
                + ".card b{display:block;font-size:20px}.bad{color:#b00020;font-weight:bold}.ok{color:#2e7d32;font-weight:bold}\n"
                + ".note{color:#555;font-size:13px}pre{background:#f6f6f6;padding:10px;overflow-x:auto}\n"
                + "</style>\n</head>\n<body>\n<h1>" + esc(title) + "</h1>\n");
        return sb;
    }

    private static String body(Plan p) {
        StringBuilder sb = new StringBuilder();
        ModelSpec m = p.model();
        Cluster c = p.cluster();
        Layout lay = p.layout();
        StepTime t = p.time();
        MemoryBreakdown mem = p.memory();
        sb.append("<table>\n");
        row(sb, "Model", String.format(Locale.ROOT, "%s: %.2f B parameters, %d layers, h %d, %d heads (%d kv), ffn %d, vocab %d",
                m.name(), m.parameterCount() / 1e9, m.layers(), m.hidden(), m.heads(), m.kvHeads(), m.ffn(), m.vocab()));
        row(sb, "Cluster", String.format(Locale.ROOT, "%s × %d nodes × %d = %d devices (%s, %s 16-bit, %.0f GB usable); constants %s",
                c.name(), c.nodes(), c.devicesPerNode(), c.worldSize(), c.accelerator().name(), PlanReport.flops(c.accelerator().peak16()),
                c.accelerator().usableBytes() / 1e9, c.calibratedOn()));
        row(sb, "Layout", String.format(Locale.ROOT, "%s; seq %d, global batch %d (%d micro-batches per step)",
                PlanReport.describeLayout(p), lay.seq(), lay.globalBatch(), lay.microBatches()));
        row(sb, "Work", p.profile().source());
        sb.append("</table>\n<div class=\"cards\">\n");
        card(sb, "step time", String.format(Locale.ROOT, "%.2f s", t.total()));
        card(sb, "MFU", String.format(Locale.ROOT, "%.1f%%", 100 * t.mfu()));
        card(sb, "tokens/s", String.format(Locale.ROOT, "%,.0f (%,.0f per device)", t.tokensPerSecond(), t.tokensPerSecond() / c.worldSize()));
        card(sb, "peak memory (stage " + mem.stage() + ")", String.format(Locale.ROOT, "%.1f of %.1f GB", mem.total() / 1e9, mem.usable() / 1e9));
        sb.append("</div>\n<p class=\"").append(mem.fits() ? "ok\">fits" : "bad\">DOES NOT FIT").append("</p>\n");

        List<MemoryBreakdown> stages = stageMemory(p);
        sb.append("<h2>Memory per pipeline stage</h2>\n").append(memoryChart(stages, mem.usable()));
        sb.append(String.format(Locale.ROOT, "<p>Most loaded device (stage %d): %.1f GB of %.1f GB usable</p>%n<table><tr><th>part</th><th>GB</th><th>share</th></tr>%n",
                mem.stage(), mem.total() / 1e9, mem.usable() / 1e9));
        for (Map.Entry<String, Double> e : PlanReport.memoryParts(mem).entrySet()) {
            sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.1f%%</td></tr>%n", esc(e.getKey()), e.getValue() / 1e9,
                    100 * e.getValue() / mem.usable()));
        }
        sb.append("</table>\n");

        sb.append(String.format(Locale.ROOT, "<h2>Step time: %.2f s</h2>%n<table><tr><th>part</th><th>s</th><th>share</th></tr>%n", t.total()));
        for (Map.Entry<String, Double> e : PlanReport.timeParts(t).entrySet()) {
            sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.1f%%</td></tr>%n", esc(e.getKey()), e.getValue(),
                    100 * e.getValue() / t.total()));
        }
        sb.append("</table>\n");

        double[] rec = p.recompute() == null ? null : p.recompute().perVirtualStage(lay.pp(), lay.vpp());
        TimeModel.Timeline tl = TimeModel.timeline(m, p.profile(), c, lay, rec);
        sb.append("<h2>Pipeline timeline</h2>\n").append(timeline(tl, lay));

        sb.append("<h2>Bottlenecks</h2>\n<ul>\n");
        for (String s : PlanReport.bottlenecks(p)) sb.append("<li>").append(esc(s)).append("</li>\n");
        sb.append("</ul>\n");
        if (p.recompute() != null) {
            sb.append("<h2>Recompute plan</h2>\n<pre>").append(esc(PlanReport.recomputeText(p.recompute()).strip())).append("</pre>\n");
        }
        return sb.toString();
    }

    /** The memory of every pipeline rank: the optimiser's, or the uniform mode's. */
    static List<MemoryBreakdown> stageMemory(Plan p) {
        if (p.recompute() != null) return p.recompute().devices().stream().map(DeviceRecompute::memory).toList();
        List<MemoryBreakdown> out = new ArrayList<>();
        for (int r = 0; r < p.layout().pp(); r++) {
            out.add(MemoryModel.rank(p.model(), p.cluster(), p.layout(), r).withUsable(p.memory().usable()));
        }
        return out;
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th>").append(esc(k)).append("</th><td class=\"l\">").append(esc(v)).append("</td></tr>\n");
    }

    private static void card(StringBuilder sb, String k, String v) {
        sb.append("<div class=\"card\">").append(esc(k)).append("<b>").append(esc(v)).append("</b></div>\n");
    }

    static String esc(String s) {
        return Svg.esc(s);
    }

    /** Stacked bars of each stage's memory parts, with the budget as a dashed line. */
    static String memoryChart(List<MemoryBreakdown> stages, double usable) {
        double w = 1200, h = 340, left = 60, right = 20, top = 40, bottom = 40;
        double max = Math.max(usable, stages.stream().mapToDouble(MemoryBreakdown::total).max().orElse(1)) * 1.08;
        Svg svg = new Svg(w, h, "memory per pipeline stage");
        String[] names = PlanReport.memoryParts(stages.getFirst()).keySet().toArray(new String[0]);
        svg.legend(left, 18, names, MEMORY_COLORS);
        double plotH = h - top - bottom, plotW = w - left - right;
        axisY(svg, left, top, plotW, plotH, max / 1e9, "GB");
        int n = stages.size();
        double slot = plotW / n, bw = Math.min(70, slot * 0.7);
        int labelEvery = (int) Math.ceil(n / 32.0);
        for (int i = 0; i < n; i++) {
            MemoryBreakdown mb = stages.get(i);
            double x = left + i * slot + (slot - bw) / 2, y = top + plotH;
            int k = 0;
            for (Map.Entry<String, Double> e : PlanReport.memoryParts(mb).entrySet()) {
                double bh = e.getValue() / max * plotH;
                y -= bh;
                svg.rect(x, y, bw, bh, MEMORY_COLORS[k++], String.format(Locale.ROOT, "stage %d %s: %.2f GB", mb.stage(), e.getKey(), e.getValue() / 1e9));
            }
            if (i % labelEvery == 0) svg.text(x + bw / 2, top + plotH + 16, String.valueOf(mb.stage()), "middle", "#222", 11);
            if (n <= 16) svg.text(x + bw / 2, y - 4, String.format(Locale.ROOT, "%.1f", mb.total() / 1e9), "middle", "#222", 11);
        }
        svg.text(left + plotW / 2, h - 6, "pipeline stage", "middle", "#222", 12);
        double uy = top + plotH - usable / max * plotH;
        svg.line(left, uy, left + plotW, uy, "#b00020", 1.5, true);
        svg.line(left + plotW - 150, 14, left + plotW - 124, 14, "#b00020", 1.5, true);
        svg.text(left + plotW, 18, String.format(Locale.ROOT, "budget %.1f GB", usable / 1e9), "end", "#b00020", 12);
        return svg.toString();
    }

    /** A y axis from 0 to max with about five ticks and grid lines. */
    private static void axisY(Svg svg, double left, double top, double plotW, double plotH, double max, String unit) {
        double step = niceStep(max / 5);
        for (double v = 0; v <= max + 1e-9; v += step) {
            double y = top + plotH - v / max * plotH;
            svg.line(left, y, left + plotW, y, "#e5e5e5", 1, false);
            svg.text(left - 6, y + 4, fmt(v), "end", "#444", 11);
        }
        svg.line(left, top, left, top + plotH, "#444", 1, false);
        svg.vtext(14, top + plotH / 2, unit);
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }

    private static String fmt(double v) {
        if (v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /**
     * Per-stage rows over the start of the step: stage 0's warm-up forwards and its next 16 passes (the whole step,
     * with the data-parallel reduction and the optimizer, when it has no more passes than that).
     */
    static String timeline(TimeModel.Timeline tl, Layout lay) {
        int p = lay.pp(), m = lay.microBatches();
        List<PipelineSim.Event> ev = tl.sim().events();
        List<PipelineSim.Event> first = ev.stream().filter(e -> e.device() == 0).toList();
        int warmup = 0;
        while (warmup < first.size() && first.get(warmup).forward()) warmup++;
        int last = warmup + 16;
        boolean whole = last >= first.size() - 1;
        double stepEnd = 0;
        for (int r = 0; r < p; r++) stepEnd = Math.max(stepEnd, tl.sim().finish()[r] + tl.dpExposed()[r] + tl.optimizer()[r]);
        double end = whole ? stepEnd : first.get(last).end();
        List<Integer> ranks = new ArrayList<>();
        int shown = Math.min(p, 24);
        for (int i = 0; i < shown; i++) ranks.add((int) Math.round(i * (p - 1.0) / Math.max(1, shown - 1)));
        double w = 1200, left = 70, right = 20, top = 44, rowH = 24, bottom = 44;
        double h = top + shown * rowH + bottom, plotW = w - left - right;
        Svg svg = new Svg(w, h, "pipeline timeline");
        svg.legend(left, 18, new String[]{"forward", "backward", "recompute", "p2p transfer", "bubble (idle)", "DP comm", "optimizer"},
                new String[]{FWD, BWD, RECOMPUTE, P2P, BUBBLE, DP, OPT});
        double sx = plotW / end;
        boolean labelled = false;
        for (int i = 0; i < shown; i++) {
            int r = ranks.get(i);
            double y = top + i * rowH;
            double rowEnd = tl.sim().finish()[r] + (whole ? tl.dpExposed()[r] + tl.optimizer()[r] : 0);
            svg.rect(left, y + 2, Math.min(rowEnd, end) * sx, rowH - 4, BUBBLE, null);
            svg.text(left - 8, y + rowH / 2 + 4, "stage " + r, "end", "#222", 11);
        }
        for (PipelineSim.Event e : ev) {
            int i = ranks.indexOf(e.device());
            if (i < 0 || e.start() >= end) continue;
            double y = top + i * rowH;
            double x0 = left + e.start() * sx, x1 = left + Math.min(e.end(), end) * sx;
            int vs = e.chunk() * p + e.device();
            String what = (e.forward() ? "forward" : "backward") + " micro-batch " + e.micro()
                    + (lay.vpp() > 1 ? " chunk " + e.chunk() : "");
            String tip = String.format(Locale.ROOT, "stage %d %s: %.3f–%.3f s", e.device(), what, e.start(), e.end());
            svg.rect(x0, y + 2, x1 - x0, rowH - 4, e.forward() ? FWD : BWD, tip);
            if (!e.forward() && tl.recompute()[vs] > 0) {
                svg.rect(x0, y + 2, Math.min(tl.recompute()[vs] * sx, x1 - x0), rowH - 4, RECOMPUTE, "recompute, " + tip);
            }
            if (x1 - x0 > 1.5) svg.line(x1, y + 2, x1, y + rowH - 2, "#ffffff", 0.8, false);
            String label = lay.vpp() > 1 ? e.micro() + "." + e.chunk() : String.valueOf(e.micro());
            if (x1 - x0 > 6.5 * label.length() + 3) {
                svg.text((x0 + x1) / 2, y + rowH / 2 + 4, label, "middle", "#ffffff", 10);
                labelled = true;
            }
            if (tl.p2p() > 0 && e.ready() > 0 && e.ready() - tl.p2p() < end) {
                double a = left + (e.ready() - tl.p2p()) * sx, b = left + Math.min(e.ready(), end) * sx;
                svg.rect(a, y + rowH - 6, Math.max(1, b - a), 3, P2P, null);
            }
        }
        if (whole) {
            for (int i = 0; i < shown; i++) {
                int r = ranks.get(i);
                double y = top + i * rowH, f = tl.sim().finish()[r];
                svg.rect(left + f * sx, y + 2, tl.dpExposed()[r] * sx, rowH - 4, DP, String.format(Locale.ROOT, "stage %d DP comm %.3f s", r, tl.dpExposed()[r]));
                svg.rect(left + (f + tl.dpExposed()[r]) * sx, y + 2, tl.optimizer()[r] * sx, rowH - 4, OPT,
                        String.format(Locale.ROOT, "stage %d optimizer %.3f s", r, tl.optimizer()[r]));
            }
        }
        double axisY = top + shown * rowH + 4;
        svg.line(left, axisY, left + plotW, axisY, "#444", 1, false);
        double step = niceStep(end / 8);
        for (double v = 0; v <= end + 1e-12; v += step) {
            svg.line(left + v * sx, axisY, left + v * sx, axisY + 4, "#444", 1, false);
            svg.text(left + v * sx, axisY + 16, fmt(v), "middle", "#444", 11);
        }
        svg.text(left + plotW / 2, h - 6, "seconds" + (whole ? " (the whole step)"
                        : String.format(Locale.ROOT, " (the first %.2f s of the %.2f s step: warm-up and the first steady passes of %d micro-batches)", end, stepEnd, m))
                + (shown < p ? "; " + shown + " of " + p + " stages shown" : ""), "middle", "#222", 12);
        String note = !labelled ? "" : lay.vpp() > 1 ? "<p class=\"note\">Blocks are labelled micro-batch.chunk.</p>\n"
                : "<p class=\"note\">Blocks are labelled with their micro-batch.</p>\n";
        return svg + note;
    }

    /** 1, 2, 5 × powers of ten between 10^lo and 10^hi. */
    private static List<Double> logTicks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        for (int e = (int) Math.floor(lo); e <= Math.ceil(hi); e++) {
            for (int mant : new int[]{1, 2, 5}) {
                double v = mant * Math.pow(10, e);
                if (Math.log10(v) >= lo && Math.log10(v) <= hi) out.add(v);
            }
        }
        return out;
    }

    /** Scatter of every layout's step time (log scale) against its memory, fitting or not, with the fitting frontier. */
    static String frontier(List<Search.Point> points, List<Plan> best, double usable) {
        double w = 1200, h = 460, left = 70, right = 20, top = 30, bottom = 44;
        double plotW = w - left - right, plotH = h - top - bottom;
        Svg svg = new Svg(w, h, "search frontier");
        if (points.isEmpty()) return svg.toString();
        double minMem = points.stream().mapToDouble(Search.Point::memory).min().orElse(1) / 1e9;
        double maxMem = points.stream().mapToDouble(Search.Point::memory).max().orElse(1) / 1e9;
        if (!Double.isNaN(usable)) {
            minMem = Math.min(minMem, usable / 1e9);
            maxMem = Math.max(maxMem, usable / 1e9);
        }
        double mlo = Math.log10(minMem * 0.9), mhi = Math.log10(maxMem * 1.1);
        double lo = Math.log10(points.stream().mapToDouble(Search.Point::seconds).min().orElse(1) * 0.9);
        double hi = Math.log10(points.stream().mapToDouble(Search.Point::seconds).max().orElse(10) * 1.1);
        if (hi - lo < 0.3) hi = lo + 0.3;
        if (mhi - mlo < 0.3) mhi = mlo + 0.3;
        final double fl = lo, fh = hi, fml = mlo, fmh = mhi;
        java.util.function.DoubleUnaryOperator X = gb -> left + (Math.log10(gb) - fml) / (fmh - fml) * plotW;
        java.util.function.DoubleUnaryOperator Y = sec -> top + plotH - (Math.log10(sec) - fl) / (fh - fl) * plotH;
        svg.legend(left, 18, new String[]{"fits", "does not fit", "fitting frontier", "best layouts"}, new String[]{"#2e7d32", "#bbbbbb", "#2e7d32", "#000000"});
        for (double v : logTicks(lo, hi)) {
            double y = Y.applyAsDouble(v);
            svg.line(left, y, left + plotW, y, "#e5e5e5", 1, false);
            svg.text(left - 6, y + 4, fmt(v), "end", "#444", 11);
        }
        for (double v : logTicks(mlo, mhi)) {
            double x = X.applyAsDouble(v);
            svg.line(x, top, x, top + plotH, "#eeeeee", 1, false);
            svg.text(x, top + plotH + 16, fmt(v), "middle", "#444", 11);
        }
        svg.line(left, top, left, top + plotH, "#444", 1, false).line(left, top + plotH, left + plotW, top + plotH, "#444", 1, false);
        svg.text(left + plotW / 2, h - 6, "peak memory of the most loaded device (GB, log scale)", "middle", "#222", 12);
        svg.vtext(16, top + plotH / 2, "step time (s, log scale)");
        for (Search.Point pt : points) {
            if (pt.fits()) continue;
            svg.circle(X.applyAsDouble(pt.memory() / 1e9), Y.applyAsDouble(pt.seconds()), 2.5, "#dddddd", "#aaaaaa", null);
        }
        List<Search.Point> fit = new ArrayList<>(points.stream().filter(Search.Point::fits).toList());
        for (Search.Point pt : fit) {
            svg.circle(X.applyAsDouble(pt.memory() / 1e9), Y.applyAsDouble(pt.seconds()), 3, "#66bb6a", "#2e7d32",
                    String.format(Locale.ROOT, "%s: %.2f s, %.1f GB", pt.layout().describe(), pt.seconds(), pt.memory() / 1e9));
        }
        fit.sort(Comparator.comparingDouble(Search.Point::memory));
        List<Double> line = new ArrayList<>();
        double bestT = Double.POSITIVE_INFINITY;
        for (Search.Point pt : fit) {
            if (pt.seconds() < bestT) {
                if (!line.isEmpty()) { // step: hold the previous time up to this memory
                    line.add(X.applyAsDouble(pt.memory() / 1e9));
                    line.add(Y.applyAsDouble(bestT));
                }
                bestT = pt.seconds();
                line.add(X.applyAsDouble(pt.memory() / 1e9));
                line.add(Y.applyAsDouble(bestT));
            }
        }
        if (line.size() >= 4) svg.polyline(line.stream().mapToDouble(Double::doubleValue).toArray(), "#2e7d32", 1.5);
        if (!Double.isNaN(usable)) {
            double ux = X.applyAsDouble(usable / 1e9);
            svg.line(ux, top, ux, top + plotH, "#b00020", 1.5, true);
            svg.text(ux - 4, top + 12, String.format(Locale.ROOT, "usable %.1f GB", usable / 1e9), "end", "#b00020", 12);
        }
        for (int i = best.size() - 1; i >= 0; i--) {
            Plan b = best.get(i);
            double x = X.applyAsDouble(b.memory().total() / 1e9), y = Y.applyAsDouble(b.time().total());
            svg.circle(x, y, 7, "none", "#000000", String.format(Locale.ROOT, "#%d %s: %.2f s, %.1f GB", i + 1,
                    b.layout().describe(), b.time().total(), b.memory().total() / 1e9));
            svg.text(x + 9, y - 6, String.valueOf(i + 1), "start", "#000000", 12);
        }
        return svg.toString();
    }
}
