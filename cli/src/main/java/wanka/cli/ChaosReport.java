package wanka.cli;

import wanka.train.ft.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The report of a {@code wanka chaos} run: per fault kind and per fault, as HTML and as a Markdown section for BENCHMARKS.md. */
final class ChaosReport {
    private ChaosReport() {
    }

    /** Where one restart's time went: what its JVMs started from, fault to the first beat after resuming, and the rank-0 startup line's parts (NaN when the log did not say). */
    record Startup(StartupCache.Kind start, double faultToFirstBeatMs, double jvmToWorldMs, double mpiInitMs, double modelResumeFirstStepMs) {
    }

    private static final java.util.regex.Pattern STARTUP = java.util.regex.Pattern.compile(
            "startup: JVM start to opening the world (\\d+) ms, opening it \\(MPI init\\) (\\d+) ms, then model, resume and the first step (\\d+) ms");

    /** Each restart's {@link Startup}, from the outcomes and the resumed attempts' logs. */
    static List<Startup> startups(List<ChaosCommand.Outcome> outcomes, java.util.function.IntFunction<StartupCache.Kind> startOf, java.util.function.IntFunction<Path> logOf) {
        List<Startup> out = new java.util.ArrayList<>();
        for (ChaosCommand.Outcome o : outcomes) {
            if (o.resumedAt() < 0 || o.attempt() < 0) continue;
            double[] parts = {Double.NaN, Double.NaN, Double.NaN};
            try {
                java.util.regex.Matcher m = STARTUP.matcher(Files.readString(logOf.apply(o.attempt())));
                if (m.find()) for (int i = 0; i < 3; i++) parts[i] = Double.parseDouble(m.group(i + 1));
            } catch (IOException e) {
                // no log: the parts stay unknown
            }
            out.add(new Startup(startOf.apply(o.attempt()), o.detectMs() + o.resumeMs(), parts[0], parts[1], parts[2]));
        }
        return out;
    }

    static void write(Path out, long seed, long steps, int ranks, List<ChaosCommand.Outcome> outcomes, List<Event> events, boolean finished, boolean equal, double seconds,
                      double heldSyncMs, double heldAsyncMs, String hosts, String loadAverage, List<Startup> startups) throws IOException {
        StringBuilder md = new StringBuilder();
        long survived = outcomes.stream().filter(ChaosCommand.Outcome::ok).count();
        List<ChaosCommand.Outcome> restarts = outcomes.stream().filter(o -> o.fault().restarts).toList();
        md.append(String.format(Locale.ROOT, "`wanka chaos --seed %d --faults %d` (%d ranks under mpirun on %s, %d steps, %.0f s, load average at the end %s): **%d of %d faults survived**, job %s, final weights %s the uninterrupted run's.%n%n",
                seed, outcomes.size(), ranks, hosts, steps, seconds, loadAverage, survived, outcomes.size(), finished ? "finished" : "did not finish", equal ? "bitwise equal to" : "differ from"));
        long hung = events.stream().filter(e -> e.kind() == Event.Kind.HUNG).count();
        long hangFaults = outcomes.stream().filter(o -> o.fault() == ChaosFault.STOP || o.fault() == ChaosFault.NETNS_CUT).count();
        long slow = outcomes.stream().filter(o -> o.fault() == ChaosFault.SLOW).count(), flagged = outcomes.stream().filter(o -> o.fault() == ChaosFault.SLOW && o.note().equals("flagged as a straggler")).count();
        long cuts = outcomes.stream().filter(o -> o.fault() == ChaosFault.NETNS_CUT).count(), cutExcluded = outcomes.stream().filter(o -> o.fault() == ChaosFault.NETNS_CUT && o.note().contains("the cut host was excluded")).count();
        if (cuts > 0) md.append(String.format(Locale.ROOT, "Cut links: the cut host was the one excluded in %d of %d (the agent probes which hosts reach their bridge).%n%n", cutExcluded, cuts));
        long flags = events.stream().filter(e -> e.kind() == Event.Kind.STRAGGLER).count();
        md.append(String.format(Locale.ROOT, "Straggler flags in all: %d (slowed ranks are flagged once each; the others are ranks the loaded machine slowed for 2 steps or more).%n%n", flags));
        md.append(String.format(Locale.ROOT, "Hang alarms: %d, for %d injected hangs (stops, cut links); slowed ranks flagged as stragglers: %d of %d. "
                + "Checkpoint stall per checkpoint step (every level due, level 1 every step with its peer copy): synchronous %.1f ms (the reference run), asynchronous %.1f ms (the last attempt).%n%n",
                hung, hangFaults, flagged, slow, heldSyncMs, heldAsyncMs));
        md.append("| fault | injected | survived | restarts | detect ms (median / max) | resume ms (median / max) | steps recomputed (mean / max) |\n|---|---|---|---|---|---|---|\n");
        for (ChaosFault f : ChaosFault.values()) {
            List<ChaosCommand.Outcome> of = outcomes.stream().filter(o -> o.fault() == f).toList();
            if (of.isEmpty()) continue;
            List<ChaosCommand.Outcome> r = of.stream().filter(o -> o.resumedAt() >= 0).toList();
            double[] detect = r.stream().mapToDouble(ChaosCommand.Outcome::detectMs).sorted().toArray();
            double[] resume = r.stream().mapToDouble(ChaosCommand.Outcome::resumeMs).sorted().toArray();
            double[] redo = r.stream().mapToDouble(o -> Math.max(0, o.step() - o.resumedAt())).toArray();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s |%n", f.name().toLowerCase(Locale.ROOT), of.size(), of.stream().filter(ChaosCommand.Outcome::ok).count(), r.size(),
                    r.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f / %.0f", detect[detect.length / 2], detect[detect.length - 1]),
                    r.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f / %.0f", resume[resume.length / 2], resume[resume.length - 1]),
                    r.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f / %.0f", Arrays.stream(redo).average().orElse(0), Arrays.stream(redo).max().orElse(0))));
        }
        double[] allResume = restarts.stream().filter(o -> o.resumedAt() >= 0).mapToDouble(o -> o.detectMs() + o.resumeMs()).sorted().toArray();
        if (allResume.length > 0) {
            md.append(String.format(Locale.ROOT, "%nFrom fault to the restarted job's first beat (resumed; its first step follows): median %.1f s, max %.1f s over %d restarts.%n",
                    allResume[allResume.length / 2] / 1e3, allResume[allResume.length - 1] / 1e3, allResume.length));
        }
        if (!startups.isEmpty()) {
            md.append("\nWhere a restart's time goes, by what the ranks' JVMs start from (attempts take them in turn; medians, seconds):\n\n"
                    + "| JVM starts from | restarts | fault to first beat | JVM start to opening the world | MPI init | model, resume, first step |\n|---|---|---|---|---|---|\n");
            for (StartupCache.Kind k : StartupCache.Kind.values()) {
                List<Startup> of = startups.stream().filter(x -> x.start() == k).toList();
                if (of.isEmpty()) continue;
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", k.label(), of.size(), median(of, Startup::faultToFirstBeatMs), median(of, Startup::jvmToWorldMs),
                        median(of, Startup::mpiInitMs), median(of, Startup::modelResumeFirstStepMs)));
            }
        }
        Files.writeString(out.resolve("chaos-report.md"), md.toString());
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=utf-8><title>wanka chaos report</title><style>body{font:14px sans-serif;margin:20px}"
                + "pre{white-space:pre-wrap}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}.bad{color:#b00}</style></head><body><h2>wanka chaos</h2>");
        h.append("<pre>").append(md.toString().replace("&", "&amp;").replace("<", "&lt;")).append("</pre><h3>Faults</h3><table><tr><th>#</th><th>fault</th><th>step</th>"
                + "<th>newest committed</th><th>resumed at</th><th>detect ms</th><th>resume ms</th><th>result</th></tr>");
        for (ChaosCommand.Outcome o : outcomes) {
            h.append(String.format(Locale.ROOT, "<tr%s><td>%d</td><td>%s</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", o.ok() ? "" : " class=bad", o.index() + 1, o.fault(),
                    o.step(), o.committedBefore(), o.resumedAt() < 0 ? "–" : Long.toString(o.resumedAt()), o.resumedAt() < 0 ? "–" : String.format(Locale.ROOT, "%.0f", o.detectMs()),
                    o.resumedAt() < 0 ? "–" : String.format(Locale.ROOT, "%.0f", o.resumeMs()), (o.ok() ? "survived " : "FAILED ") + o.note().replace("<", "&lt;")));
        }
        h.append("</table><h3>Timeline</h3><table>");
        long t0 = events.isEmpty() ? 0 : events.getFirst().timeMs();
        for (Event e : events) h.append(String.format(Locale.ROOT, "<tr><td>+%.1f s</td><td>%s</td><td>%d</td><td>%s</td></tr>", (e.timeMs() - t0) / 1e3, e.kind(), e.step(), e.detail().replace("<", "&lt;")));
        Files.writeString(out.resolve("chaos-report.html"), h.append("</table></body></html>").toString());
    }

    private static String median(List<Startup> of, java.util.function.ToDoubleFunction<Startup> f) {
        double[] v = of.stream().mapToDouble(f).filter(Double::isFinite).sorted().toArray();
        return v.length == 0 ? "–" : String.format(Locale.ROOT, "%.1f", (v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) / 1e3);
    }
}
