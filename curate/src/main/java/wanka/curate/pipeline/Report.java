package wanka.curate.pipeline;

import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The end-of-run report: per step and per domain, what was kept, changed, dropped (and why), quarantined; Markdown and HTML. */
public final class Report {
    /** Totals of one step across tasks. */
    record StepTotals(String step, double seconds, Map<String, long[]> domains, Map<String, Long> reasons, Map<String, Long> counters) {
    }

    private final List<StepTotals> steps;
    private final long tasks, bytes, quarantined;
    private final double seconds;

    @SuppressWarnings("unchecked")
    public Report(List<LocalExecutor.TaskResult> results) {
        Map<String, StepTotals> byStep = new LinkedHashMap<>();
        long b = 0, q = 0;
        double s = 0;
        for (LocalExecutor.TaskResult r : results) {
            b += r.bytes();
            q += r.quarantined();
            s += r.seconds();
            for (int i = 0; i < r.steps().size(); i++) {
                Map<String, Object> m = r.steps().get(i);
                String key = i + ":" + m.get("step");
                StepTotals t = byStep.computeIfAbsent(key, k -> new StepTotals((String) m.get("step"), 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>()));
                byStep.put(key, new StepTotals(t.step(), t.seconds() + ((Number) m.get("seconds")).doubleValue(), t.domains(), t.reasons(), t.counters()));
                ((Map<String, Map<String, Number>>) m.get("domains")).forEach((d, c) -> {
                    long[] acc = t.domains().computeIfAbsent(d, k -> new long[7]);
                    String[] keys = {"in", "kept", "changed", "dropped", "quarantined", "chars_in", "chars_out"};
                    for (int k = 0; k < keys.length; k++) acc[k] += c.get(keys[k]).longValue();
                });
                ((Map<String, Number>) m.get("drop_reasons")).forEach((k, v) -> t.reasons().merge(k, v.longValue(), Long::sum));
                ((Map<String, Number>) m.get("counters")).forEach((k, v) -> t.counters().merge(k, v.longValue(), Long::sum));
            }
        }
        this.steps = List.copyOf(byStep.values());
        this.tasks = results.size();
        this.bytes = b;
        this.quarantined = q;
        this.seconds = s;
    }

    private static long[] total(StepTotals t) {
        long[] sum = new long[7];
        t.domains().values().forEach(a -> {
            for (int i = 0; i < 7; i++) sum[i] += a[i];
        });
        return sum;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Pipeline report\n\n");
        sb.append(String.format(Locale.ROOT, "%d tasks, %.1f MB read, %.1f task-seconds (%.2f MB/s per task-thread), %d documents quarantined.%n%n",
                tasks, bytes / 1e6, seconds, seconds > 0 ? bytes / 1e6 / seconds : 0, quarantined));
        sb.append("Rates are per task-thread: documents in (and million characters in) per second of the step's own time.\n\n");
        sb.append("| # | step | in | kept | changed | dropped | quarantined | chars in → out | seconds | docs/s | M chars/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < steps.size(); i++) {
            StepTotals t = steps.get(i);
            long[] a = total(t);
            sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %d | %d | %d | %d → %d | %.2f | %s | %s |%n", i + 1, t.step(), a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                    t.seconds(), rate(a[0], t.seconds(), 1, "%.0f"), rate(a[5], t.seconds(), 1e6, "%.2f")));
        }
        for (int i = 0; i < steps.size(); i++) {
            StepTotals t = steps.get(i);
            sb.append("\n## ").append(i + 1).append(". ").append(t.step()).append("\n\n");
            sb.append("| domain | in | kept | changed | dropped | quarantined |\n|---|---|---|---|---|---|\n");
            t.domains().forEach((d, a) -> sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", d.isEmpty() ? "(none)" : d, a[0], a[1], a[2], a[3], a[4])));
            if (!t.reasons().isEmpty()) {
                sb.append("\nDropped because:\n\n");
                t.reasons().forEach((k, v) -> sb.append("- `").append(k).append("`: ").append(v).append('\n'));
            }
            if (!t.counters().isEmpty()) {
                sb.append("\nCounters:\n\n");
                t.counters().forEach((k, v) -> sb.append("- `").append(k).append("`: ").append(v).append('\n'));
            }
        }
        return sb.toString();
    }

    public String html() {
        StringBuilder sb = new StringBuilder("<!doctype html><meta charset=utf-8><title>wanka pipeline report</title><style>"
                + "body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
                + ".k{fill:#4caf50}.c{fill:#2196f3}.d{fill:#f44336}.q{fill:#9c27b0}</style><h1>Pipeline report</h1>");
        sb.append(String.format(Locale.ROOT, "<p>%d tasks, %.1f MB read, %.1f task-seconds, %d documents quarantined.</p>", tasks, bytes / 1e6, seconds, quarantined));
        sb.append("<p><svg width=12 height=12><rect class=k width=12 height=12 /></svg> kept <svg width=12 height=12><rect class=c width=12 height=12 /></svg> changed "
                + "<svg width=12 height=12><rect class=d width=12 height=12 /></svg> dropped <svg width=12 height=12><rect class=q width=12 height=12 /></svg> quarantined</p>");
        long maxIn = steps.stream().mapToLong(t -> total(t)[0]).max().orElse(1);
        int w = 600, row = 26;
        sb.append("<svg width=").append(w + 340).append(" height=").append(steps.size() * row + 10).append(">");
        for (int i = 0; i < steps.size(); i++) {
            long[] a = total(steps.get(i));
            double scale = (double) w / Math.max(1, maxIn);
            int y = 5 + i * row;
            sb.append("<text x=0 y=").append(y + 15).append(">").append(i + 1).append(". ").append(escape(steps.get(i).step())).append("</text>");
            double x = 200;
            String[] cls = {"k", "c", "d", "q"};
            for (int k = 0; k < 4; k++) {
                double width = a[k + 1] * scale;
                sb.append(String.format(Locale.ROOT, "<rect class=%s x=%.1f y=%d width=%.1f height=20><title>%d</title></rect>", cls[k], x, y, width, a[k + 1]));
                x += width;
            }
            sb.append(String.format(Locale.ROOT, "<text x=%.1f y=%d>%d in</text>", x + 5, y + 15, a[0]));
        }
        sb.append("</svg>");
        sb.append("<table><tr><th>step</th><th>in</th><th>kept</th><th>changed</th><th>dropped</th><th>quarantined</th><th>seconds</th><th>docs/s</th><th>M chars/s</th>"
                + "<th>drop reasons</th></tr>");
        for (StepTotals t : steps) {
            long[] a = total(t);
            sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td><td>%s</td><td>%s</td><td style=text-align:left>%s</td></tr>",
                    escape(t.step()), a[0], a[1], a[2], a[3], a[4], t.seconds(), rate(a[0], t.seconds(), 1, "%.0f"), rate(a[5], t.seconds(), 1e6, "%.2f"), escape(reasons(t))));
        }
        sb.append("<p>Rates are per task-thread: documents in (and million characters in) per second of the step's own time.</p>");
        sb.append("</table><h2>Per domain</h2>");
        for (StepTotals t : steps) {
            sb.append("<h3>").append(escape(t.step())).append("</h3><table><tr><th>domain</th><th>in</th><th>kept</th><th>changed</th><th>dropped</th><th>quarantined</th></tr>");
            t.domains().forEach((d, a) -> sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>",
                    escape(d.isEmpty() ? "(none)" : d), a[0], a[1], a[2], a[3], a[4])));
            sb.append("</table>");
        }
        return sb.toString();
    }

    /** {@code count / unit} per second, or "–" when the step took no measurable time. */
    private static String rate(long count, double seconds, double unit, String format) {
        return seconds > 1e-6 ? String.format(Locale.ROOT, format, count / unit / seconds) : "–";
    }

    /** The most frequent drop reasons first, at most eight, then how many other reasons and documents there were. */
    private static String reasons(StepTotals t) {
        StringBuilder r = new StringBuilder();
        var sorted = t.reasons().entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).toList();
        for (int i = 0; i < Math.min(8, sorted.size()); i++) r.append(i == 0 ? "" : ", ").append(sorted.get(i).getKey()).append(": ").append(sorted.get(i).getValue());
        if (sorted.size() > 8) {
            long rest = sorted.subList(8, sorted.size()).stream().mapToLong(java.util.Map.Entry::getValue).sum();
            r.append(String.format(Locale.ROOT, " … and %d more reasons (%d documents; all in report.md)", sorted.size() - 8, rest));
        }
        return r.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Writes report.md and report.html (each atomically). */
    public void write(RunLayout layout) throws IOException {
        AtomicFiles.write(layout.reportMarkdown(), markdown().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(layout.reportHtml(), html().getBytes(StandardCharsets.UTF_8));
    }
}
