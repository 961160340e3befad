package wanka.curate.pipeline;

import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end-of-run report: per step and per domain, what was kept, changed, dropped (and why), quarantined; Markdown and
 * HTML. Above that, the problems of the run: tasks that failed (which, which input, which error) and inputs that were
 * damaged (read only up to the damage: where and why).
 */
public final class Report {
    /** Totals of one step across tasks. */
    record StepTotals(String step, double seconds, Map<String, long[]> domains, Map<String, Long> reasons, Map<String, Long> counters) {
    }

    /** A damaged input and the task that read it. */
    record Damaged(int task, Quarantine.Damage damage) {
    }

    private final List<StepTotals> steps;
    private final List<LocalExecutor.TaskFailure> failures;
    private final List<Damaged> damaged;
    private final long tasks, bytes, quarantined;
    private final double seconds;

    /** The report of a run whose tasks all finished. */
    public Report(List<LocalExecutor.TaskResult> results) {
        this(results, List.of());
    }

    /** The report of a run's finished tasks and of those that failed. */
    @SuppressWarnings("unchecked")
    public Report(List<LocalExecutor.TaskResult> results, List<LocalExecutor.TaskFailure> failures) {
        this.failures = List.copyOf(failures);
        this.damaged = results.stream().flatMap(r -> r.damaged().stream().map(d -> new Damaged(r.task(), d))).toList();
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
        this.tasks = results.size() + failures.size();
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

    /** One line for the terminal: tasks finished and failed, damaged inputs, quarantined documents. */
    public String summary() {
        return String.format(Locale.ROOT, "%d tasks: %d finished, %d failed; %d damaged input%s; %d document%s quarantined",
                tasks, tasks - failures.size(), failures.size(), damaged.size(), damaged.size() == 1 ? "" : "s", quarantined, quarantined == 1 ? "" : "s");
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Pipeline report\n\n");
        sb.append(String.format(Locale.ROOT, "%s. %.1f MB read, %.1f task-seconds (%.2f MB/s per task-thread).%n%n",
                summary(), bytes / 1e6, seconds, seconds > 0 ? bytes / 1e6 / seconds : 0));
        if (!failures.isEmpty()) {
            sb.append("## Failed tasks\n\n").append(FAILED_NOTE).append("\n\n| task | input | error |\n|---|---|---|\n");
            for (var f : failures) sb.append("| ").append(f.task()).append(" | ").append(cell(f.input())).append(" | ").append(cell(f.error())).append(" |\n");
            sb.append('\n');
        }
        if (!damaged.isEmpty()) {
            sb.append("## Damaged inputs\n\n").append(DAMAGED_NOTE).append("\n\n| task | input | damaged at line | documents kept | reason |\n|---|---|---|---|---|\n");
            for (var d : damaged) {
                sb.append("| ").append(d.task()).append(" | ").append(cell(d.damage().file())).append(" | ").append(d.damage().line()).append(" | ")
                        .append(d.damage().documents()).append(" | ").append(cell(d.damage().reason())).append(" |\n");
            }
            sb.append('\n');
        }
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
                + ".k{fill:#4caf50}.c{fill:#2196f3}.d{fill:#f44336}.q{fill:#9c27b0}"
                + ".problems{border-left:6px solid #d32f2f;background:#fff4f4;padding:.2em 1em;margin:1em 0}.problems.damage{border-color:#ef6c00;background:#fff8f0}"
                + ".problems .t{text-align:left}.bad{color:#d32f2f;font-weight:bold}.warn{color:#ef6c00;font-weight:bold}</style><h1>Pipeline report</h1>");
        sb.append(String.format(Locale.ROOT, "<p>%d tasks: %d finished, %s; %s; %d document%s quarantined. %.1f MB read, %.1f task-seconds.</p>",
                tasks, tasks - failures.size(), flag(failures.size(), "failed", "failed", "bad"), flag(damaged.size(), "damaged input", "damaged inputs", "warn"),
                quarantined, quarantined == 1 ? "" : "s", bytes / 1e6, seconds));
        if (!failures.isEmpty()) {
            sb.append("<div class=problems><h2>Failed tasks</h2><p>").append(escape(FAILED_NOTE)).append("</p><table><tr><th>task</th><th class=t>input</th><th class=t>error</th></tr>");
            for (var f : failures) sb.append("<tr><td>").append(f.task()).append("</td><td class=t>").append(escape(f.input())).append("</td><td class=t>").append(escape(f.error())).append("</td></tr>");
            sb.append("</table></div>");
        }
        if (!damaged.isEmpty()) {
            sb.append("<div class='problems damage'><h2>Damaged inputs</h2><p>").append(escape(DAMAGED_NOTE))
                    .append("</p><table><tr><th>task</th><th class=t>input</th><th>damaged at line</th><th>documents kept</th><th class=t>reason</th></tr>");
            for (var d : damaged) {
                sb.append("<tr><td>").append(d.task()).append("</td><td class=t>").append(escape(d.damage().file())).append("</td><td>").append(d.damage().line())
                        .append("</td><td>").append(d.damage().documents()).append("</td><td class=t>").append(escape(d.damage().reason())).append("</td></tr>");
            }
            sb.append("</table></div>");
        }
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

    private static final String FAILED_NOTE = "These tasks did not finish: their documents are in no output and the tables below do not count them. "
            + "Running the pipeline again retries only these tasks (finished ones are skipped); each error's stack trace is under work/failed/.";
    private static final String DAMAGED_NOTE = "These inputs could be read only up to the damage: the documents before it went through the steps as usual "
            + "(they are counted below); what was read of the damaged part is in work/quarantine/ with the reason. A rerun does not read them again.";

    /** "N what", in the colour of {@code css} when N is not zero. */
    private static String flag(long n, String one, String many, String css) {
        String text = n + " " + (n == 1 ? one : many);
        return n == 0 ? text : "<span class=" + css + ">" + text + "</span>";
    }

    /** Text for a Markdown table cell. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace('\n', ' ');
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
