package wanka.bench.clean;

import wanka.curate.pipeline.StepRun;

import wanka.curate.clean.Boilerplate;
import wanka.curate.clean.C4Quality;
import wanka.curate.clean.FineWebQuality;
import wanka.curate.clean.GopherQuality;
import wanka.curate.clean.GopherRepetition;
import wanka.curate.clean.LanguageFilter;
import wanka.curate.clean.Normalize;
import wanka.curate.corpus.Europarl;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepOptions;
import wanka.curate.pipeline.StepStats;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Throughput of the cleaning steps on one thread: each step runs over every Europarl body (normalised first, so each
 * step sees the same input), and one JSON line per step gives docs/s and MB/s (UTF-8 input) by the step's own
 * measured wall time and by the thread's CPU time (the per-core figure on a loaded machine; it includes the small
 * overhead of the runner), plus kept/changed/dropped counts and drop reasons.
 *
 * <p>Usage: {@code CleaningBench [--limit N] [--repeat R] [--low-accuracy] [--europarl JAR]}.
 */
public final class CleaningBench {
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    private CleaningBench() {
    }

    public static void main(String[] args) throws Exception {
        int limit = Integer.MAX_VALUE, repeat = 2;
        boolean low = false;
        Path europarl = Europarl.localJar();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--low-accuracy" -> low = true;
                case "--europarl" -> europarl = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("CleaningBench: unknown argument " + args[i]);
            }
        }
        List<Document> raw = new ArrayList<>();
        for (var it : LabelledText.europarl(europarl, limit)) raw.add(new Document(it.id(), it.text()));
        Normalize normalize = Normalize.from(StepOptions.of("normalize"));
        List<Document> normalised = new ArrayList<>(raw.size());
        for (Document d : raw) normalised.add(d.withText(normalize.normalize(d.text())));
        long bytes = 0;
        for (Document d : normalised) bytes += d.text().getBytes(StandardCharsets.UTF_8).length;

        Map<String, Object> langs = new TreeMap<>();
        for (String l : List.of("da", "de", "el", "en", "es", "fi", "fr", "it", "nl", "pt", "sv")) langs.put(l, 0.05); // Lingua relative distance, see LanguageFilter
        LanguageFilter.Config cfg = LanguageFilter.config(StepOptions.of("language", "languages", langs, "model", "lingua", "low_accuracy", low));
        LanguageFilter.Config fast = LanguageFilter.config(StepOptions.of("language", "languages", langs));
        List<Step> steps = List.of(Normalize.from(StepOptions.of("normalize", "punctuation", "half")),
                new LanguageFilter(cfg.identifier(), cfg.thresholds()),
                new LanguageFilter(fast.identifier(), fast.thresholds()),
                Boilerplate.defaults(), GopherQuality.defaults(), GopherRepetition.defaults(), C4Quality.defaults(),
                FineWebQuality.defaults());
        System.out.printf(Locale.ROOT, "{\"corpus\":\"europarl\",\"docs\":%d,\"mb\":%.2f,\"repeat\":%d,\"threads\":1}%n", normalised.size(), bytes / 1e6, repeat);
        for (Step step : steps) {
            List<Document> input = step instanceof Normalize ? raw : normalised;
            long inBytes = step instanceof Normalize ? raw.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum() : bytes;
            try (StepRun warm = new StepRun(step)) {
                for (Document d : input.subList(0, Math.min(500, input.size()))) warm.apply(d);
            }
            StepStats stats = null;
            long nanos = 0, cpu = 0;
            for (int r = 0; r < repeat; r++) {
                try (StepRun run = new StepRun(step)) {
                    long c0 = MX.getCurrentThreadCpuTime();
                    for (Document d : input) run.apply(d);
                    cpu += MX.getCurrentThreadCpuTime() - c0;
                    stats = run.stats();
                    nanos += stats.nanos();
                }
            }
            double secs = nanos / 1e9 / repeat, cpuSecs = cpu / 1e9 / repeat;
            var t = stats.total();
            System.out.printf(Locale.ROOT, "{\"step\":\"%s\",\"docs_per_s\":%.1f,\"mb_per_s\":%.2f,\"docs_per_cpu_s\":%.1f,\"mb_per_cpu_s\":%.2f,\"kept\":%d,\"changed\":%d,\"dropped\":%d,\"reasons\":%s}%n",
                    step instanceof LanguageFilter lf ? step.name() + " (" + lf.describe() + ")" : step.name(), input.size() / secs, inBytes / secs / 1e6, input.size() / cpuSecs, inBytes / cpuSecs / 1e6, t.kept, t.changed, t.dropped, json(stats.dropReasons()));
        }
    }

    private static String json(Map<String, Long> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }
}
