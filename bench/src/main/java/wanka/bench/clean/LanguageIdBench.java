package wanka.bench.clean;

import wanka.curate.clean.LanguageFilter;
import wanka.curate.clean.LanguageIdentifier;
import wanka.curate.corpus.Europarl;
import wanka.curate.pipeline.StepOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Measures the {@code language} step's identification on labelled text ({@link LabelledText}: Europarl with derived
 * labels, fortunes-zh) and prints JSON lines: one per language (support, precision, recall), then a summary
 * (accuracy, docs/s and MB/s (of UTF-8 bytes) on one thread by wall clock and by thread CPU time, the configuration) — for
 * each model in turn, on the same items in the same run.
 *
 * <p>Usage: {@code LanguageIdBench [--limit N] [--model lid176,lingua] [--low-accuracy] [--max-chars N] [--europarl JAR]
 * [--fortunes FILE] [--repeat N] [--dump FILE]}: rates are the best of {@code N} passes (default 3); {@code --dump} writes the items' texts one per line (line breaks as spaces) for a
 * peer such as {@code fasttext predict} to read.
 */
public final class LanguageIdBench {
    private LanguageIdBench() {
    }

    public static void main(String[] args) throws Exception {
        int limit = Integer.MAX_VALUE, maxChars = -1, repeat = 3;
        boolean low = false;
        List<String> models = List.of(LanguageFilter.LID176, LanguageFilter.LINGUA);
        Path dump = null;
        Path europarl = Europarl.localJar(), fortunes = Path.of("/usr/share/games/fortunes/chinese");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--low-accuracy" -> low = true;
                case "--max-chars" -> maxChars = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--model" -> models = List.of(args[++i].split(","));
                case "--dump" -> dump = Path.of(args[++i]);
                case "--europarl" -> europarl = Path.of(args[++i]);
                case "--fortunes" -> fortunes = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("LanguageIdBench: unknown argument " + args[i]);
            }
        }
        List<LabelledText.Item> items = new ArrayList<>(LabelledText.europarl(europarl, limit));
        items.addAll(LabelledText.fortunes(fortunes, limit));
        TreeSet<String> labels = new TreeSet<>();
        int unlabelled = 0;
        for (var it : items) {
            if (it.label().equals("?")) unlabelled++;
            else labels.add(it.label());
        }
        Map<String, Object> langs = new TreeMap<>();
        labels.forEach(l -> langs.put(l, 0.0));
        if (dump != null) {
            List<String> lines = items.stream().map(it -> it.text().replace('\n', ' ').replace('\r', ' ')).toList();
            java.nio.file.Files.write(dump, lines, java.nio.charset.StandardCharsets.UTF_8);
        }
        for (String model : models) {
            Map<String, Object> opts = new TreeMap<>(Map.of("languages", langs, "model", model));
            if (low) opts.put("low_accuracy", true);
            if (maxChars >= 0) opts.put("max_chars", maxChars);
            Object[] kv = opts.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray();
            LanguageFilter.Config cfg = LanguageFilter.config(StepOptions.of("language", kv));
            measure(model, cfg, items, unlabelled, repeat);
        }
    }

    private static void measure(String model, LanguageFilter.Config cfg, List<LabelledText.Item> items, int unlabelled, int repeat) {
        long t0 = System.nanoTime();
        LanguageIdentifier id = cfg.identifier();
        id.identify("warm up the detector with a first call");
        long loadNanos = System.nanoTime() - t0;
        for (int i = 0; i < Math.min(500, items.size()); i++) id.identify(items.get(i).text()); // JIT warm-up

        Map<String, int[]> stats = new TreeMap<>(); // label -> {support, truePositive, predicted}
        int correct = 0, scored = 0;
        long bytes = 0;
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double secs = Double.MAX_VALUE, cpuSecs = Double.MAX_VALUE;
        for (int r = 1; r < repeat; r++) { // the first repeats only time the pass (best of all passes is reported)
            long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            for (var it : items) id.identify(it.text());
            secs = Math.min(secs, (System.nanoTime() - w0) / 1e9);
            cpuSecs = Math.min(cpuSecs, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        t0 = System.nanoTime();
        for (var it : items) {
            var top = id.identify(it.text());
            bytes += it.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (it.label().equals("?")) continue;
            String pred = top == null ? "unknown" : top.language();
            scored++;
            stats.computeIfAbsent(it.label(), k -> new int[3])[0]++;
            stats.computeIfAbsent(pred, k -> new int[3])[2]++;
            if (pred.equals(it.label())) {
                correct++;
                stats.get(pred)[1]++;
            }
        }
        secs = Math.min(secs, (System.nanoTime() - t0) / 1e9);
        cpuSecs = Math.min(cpuSecs, (mx.getCurrentThreadCpuTime() - cpu0) / 1e9);
        for (var e : stats.entrySet()) {
            int[] s = e.getValue();
            System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"language\":\"%s\",\"support\":%d,\"predicted\":%d,\"precision\":%.4f,\"recall\":%.4f}%n",
                    model, e.getKey(), s[0], s[2], s[2] == 0 ? 0.0 : (double) s[1] / s[2], s[0] == 0 ? 0.0 : (double) s[1] / s[0]);
        }
        System.out.printf(Locale.ROOT, "{\"summary\":true,\"model\":\"%s\",\"docs\":%d,\"scored\":%d,\"unlabelled\":%d,\"accuracy\":%.4f,\"docs_per_s\":%.1f,"
                        + "\"mb_per_s\":%.3f,\"docs_per_cpu_s\":%.1f,\"mb_per_cpu_s\":%.3f,\"threads\":1,\"low_accuracy\":%s,\"max_chars\":%d,\"candidates\":%d,\"load_s\":%.2f}%n",
                model, items.size(), scored, unlabelled, (double) correct / scored, items.size() / secs, bytes / secs / 1e6, items.size() / cpuSecs, bytes / cpuSecs / 1e6,
                cfg.lowAccuracy(), cfg.maxChars(), cfg.candidates().size(), loadNanos / 1e9);
    }

}
