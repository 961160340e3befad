package wanka.bench.dedup;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.corpus.Europarl;
import wanka.curate.steps.BuiltinSteps;
import wanka.curate.dedup.MinHashBuckets;
import wanka.curate.dedup.MinHashClusters;
import wanka.curate.dedup.MinHasher;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.LocalExecutor;
import wanka.curate.pipeline.PipelineConfig;
import wanka.curate.pipeline.RunLayout;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepRegistry;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures MinHash near-duplicate removal on a corpus with known duplicates ({@link NearDupGenerator}) by running
 * the whole file-based pipeline: pass 1 ({@code minhash_signatures}), the buckets and clusters stages, pass 2
 * ({@code minhash_filter}). Prints a line describing the corpus, then one JSON line per MinHash setting: documents,
 * planted duplicates, removed, recall and precision of the removed set (overall, per transformation, and for
 * documents with Han characters), and speeds per core: documents and MB of text per second of process CPU time for
 * pass 1 (JSONL reading, normalisation and signatures) and pass 2 (reading and filtering), and the CPU seconds of the
 * two stages. CPU time rather than wall time, so that other work on the machine is not counted (though sharing
 * a core with it still slows ours: repeated runs on a busy machine vary by ±30 %); before the measured runs, each
 * shingle kind in use runs once, unreported, so that JIT compilation and heap growth are not charged to the first
 * setting.
 *
 * <pre>
 * bin/wanka bench dedup [--europarl JAR|GZ] [--zh FORTUNES_FILE|none] [--tasks 8] [--threads 2] [--work DIR]
 *      [--save-corpus FILE.jsonl] [--config NAME:[words:|chars:]N[/CJK]:BANDS:ROWS ...]
 * </pre>
 * {@code --config chars6:chars:6/2:30:6} is character 6-grams (2-grams from a Han, kana, Thai … character), 30 bands
 * × 6 rows; {@code datatrove:5:14:8} (no shingle kind) is 5-word shingles. {@code --save-corpus} writes the generated
 * corpus as JSON lines {@code {id, text, cluster, kind}} for other tools. Defaults: {@link Europarl} from the local
 * Maven repository, Chinese from {@code /usr/share/games/fortunes/chinese.u8} when present, the generator's
 * {@link NearDupGenerator.Options#BENCH} settings, and {@link #DEFAULT_CONFIGS}.
 */
public final class DedupBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One measured setting. */
    public record Result(String config, int docs, int duplicates, int removed, double recall, double precision,
                         Map<String, Double> recallByKind, Double recallHan, Double precisionHan, double sigDocsPerSecPerCore, double sigMBPerSecPerCore,
                         double bucketsCpuSeconds, double clustersCpuSeconds, double filterDocsPerSecPerCore) {
    }

    private DedupBench() {
    }

    /** The entries of a fortune file ({@code %}-separated), ANSI colour codes removed, of at least {@code minChars}. */
    public static List<String> fortunes(Path file, int minChars) throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : Files.readString(file).split("\n%\n")) {
            String t = e.replaceAll("\u001B\\[[0-9;]*m", "").strip();
            if (t.length() >= minChars) out.add(t);
        }
        return out;
    }

    /**
     * Runs the pipeline on {@code docs} (split in order into {@code tasks} JSONL files under {@code work}) with
     * {@code params}, on {@code threads} threads, and scores the removed set against the generated clusters: in each
     * cluster every document but the first (lowest task, index) should go.
     */
    public static Result run(String name, List<NearDupGenerator.GenDoc> docs, MinHasher.Params params, int tasks, int threads, Path work) throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        long bytes = 0;
        int per = (docs.size() + tasks - 1) / tasks;
        for (int t = 0; t < tasks; t++) {
            try (BufferedWriter w = Files.newBufferedWriter(data.resolve(String.format("part-%05d.jsonl", t)))) {
                for (int i = t * per; i < Math.min(docs.size(), (t + 1) * per); i++) {
                    NearDupGenerator.GenDoc d = docs.get(i);
                    w.write(JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text())));
                    w.newLine();
                    bytes += d.text().getBytes(StandardCharsets.UTF_8).length;
                }
            }
        }
        Path mh = work.resolve("mh");
        Set<String> kept = ConcurrentHashMap.newKeySet();
        StepRegistry reg = BuiltinSteps.registry();
        reg.register("collect_ids", f -> new Step() {
            @Override
            public String name() {
                return "collect_ids";
            }

            @Override
            public Document apply(Document doc, StepContext ctx) {
                kept.add(doc.id());
                return doc;
            }
        });
        Path sigsYaml = work.resolve("sigs.yaml"), filterYaml = work.resolve("filter.yaml");
        String input = "input: {reader: jsonl, paths: [data/*.jsonl]}\nsteps:\n";
        boolean chars = params.shingle() == MinHasher.Shingle.CHARS;
        Files.writeString(sigsYaml, input + "  - {type: minhash_signatures, dir: '" + mh + "', shingle: " + (chars ? "chars" : "words")
                + ", ngram: " + params.ngram() + (chars ? ", ngram_cjk: " + params.cjkNgram() : "")
                + ", bands: " + params.bands() + ", rows: " + params.rows() + ", seed: " + params.seed() + "}\n");
        Files.writeString(filterYaml, input + "  - {type: minhash_filter, dir: '" + mh + "'}\n  - {type: collect_ids}\n");

        if (Files.exists(work.resolve("run-sigs"))) throw new IOException(work + ": holds an earlier run; use an empty folder");
        long c0 = cpuNanos();
        new LocalExecutor(PipelineConfig.read(sigsYaml, reg), reg, new RunLayout(work.resolve("run-sigs"))).run(threads, t -> { });
        long c1 = cpuNanos();
        MinHashBuckets.run(mh, params.bands(), threads);
        long c2 = cpuNanos();
        MinHashClusters.run(mh);
        long c3 = cpuNanos();
        new LocalExecutor(PipelineConfig.read(filterYaml, reg), reg, new RunLayout(work.resolve("run-filter"))).run(threads, t -> { });
        long c4 = cpuNanos();

        Map<Integer, List<String>> clusters = new HashMap<>(); // members in (task, index) order
        for (NearDupGenerator.GenDoc d : docs) clusters.computeIfAbsent(d.cluster(), k -> new ArrayList<>()).add(d.id());
        Set<String> shouldGo = new HashSet<>();
        for (List<String> members : clusters.values()) shouldGo.addAll(members.subList(1, members.size()));
        int removed = 0, truePositives = 0, removedHan = 0, truePositivesHan = 0, plantedHan = 0, foundHan = 0;
        Map<NearDupGenerator.Kind, int[]> byKind = new EnumMap<>(NearDupGenerator.Kind.class); // {planted, found}
        for (NearDupGenerator.GenDoc d : docs) {
            boolean gone = !kept.contains(d.id());
            if (gone) removed++;
            if (gone && shouldGo.contains(d.id())) truePositives++;
            boolean han = NearDupGenerator.hasHan(d.text());
            if (han && gone) removedHan++;
            if (han && gone && shouldGo.contains(d.id())) truePositivesHan++;
            if (d.kind() != NearDupGenerator.Kind.ORIGINAL) { // found: the cluster's first kept, the rest removed
                List<String> members = clusters.get(d.cluster());
                boolean found = kept.contains(members.get(0)) && members.stream().skip(1).noneMatch(kept::contains);
                int[] c = byKind.computeIfAbsent(d.kind(), k -> new int[2]);
                c[0]++;
                if (found) c[1]++;
                if (han) plantedHan++;
                if (han && found) foundHan++;
            }
        }
        Map<String, Double> recallByKind = new LinkedHashMap<>();
        byKind.forEach((k, c) -> recallByKind.put(k.name().toLowerCase(), round((double) c[1] / c[0])));
        double sigSeconds = (c1 - c0) / 1e9, filterSeconds = (c4 - c3) / 1e9;
        return new Result(name, docs.size(), shouldGo.size(), removed, round((double) truePositives / shouldGo.size()),
                round(removed == 0 ? 1 : (double) truePositives / removed), recallByKind,
                plantedHan == 0 ? null : round((double) foundHan / plantedHan), removedHan == 0 ? null : round((double) truePositivesHan / removedHan), Math.round(docs.size() / sigSeconds),
                round(bytes / 1e6 / sigSeconds), round((c2 - c1) / 1e9), round((c3 - c2) / 1e9), Math.round(docs.size() / filterSeconds));
    }

    /** CPU time of the whole process (all threads, JIT and GC included): a per-core measure on a shared machine. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }

    /** A named setting from {@code --config NAME:[words:|chars:]N[/CJK]:BANDS:ROWS}. */
    public record Config(String name, MinHasher.Params params) {
        public static Config parse(String spec) {
            String[] f = spec.split(":");
            if (f.length == 4) f = new String[]{f[0], "words", f[1], f[2], f[3]};
            if (f.length != 5) throw new IllegalArgumentException("--config " + spec + ": expected NAME:[words:|chars:]N[/CJK]:BANDS:ROWS");
            try {
                String[] n = f[2].split("/");
                int ngram = Integer.parseInt(n[0]), bands = Integer.parseInt(f[3]), rows = Integer.parseInt(f[4]);
                return new Config(f[0], switch (f[1]) {
                    case "words" -> {
                        if (n.length > 1) throw new IllegalArgumentException("a CJK length (/" + n[1] + ") needs chars shingles");
                        yield MinHasher.Params.words(ngram, bands, rows, 1);
                    }
                    case "chars" -> MinHasher.Params.chars(ngram, n.length > 1 ? Integer.parseInt(n[1]) : MinHasher.Params.CHARS_DEFAULTS.cjkNgram(), bands, rows, 1);
                    default -> throw new IllegalArgumentException("shingle must be words or chars, got " + f[1]);
                });
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--config " + spec + ": " + e.getMessage(), e);
            }
        }
    }

    /** The default settings: datatrove's, shorter word shingles, and character shingles (the recommended one is {@code chars6-30x6}). */
    public static final List<String> DEFAULT_CONFIGS = List.of("datatrove:5:14:8", "words5-30x6:5:30:6", "words3:3:20:5", "words2:2:20:5",
            "chars5-20x5:chars:5/2:20:5", "chars6-20x5:chars:6/2:20:5", "chars6-30x6:chars:6/2:30:6", "chars6-40x6:chars:6/2:40:6");

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Writes the generated corpus as JSON lines {@code {id, text, cluster, kind}}. */
    static void save(List<NearDupGenerator.GenDoc> docs, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (NearDupGenerator.GenDoc d : docs) {
                w.write(JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text(), "cluster", d.cluster(), "kind", d.kind().name().toLowerCase())));
                w.newLine();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path europarl = Europarl.localJar(), zh = Path.of("/usr/share/games/fortunes/chinese.u8"), work = null, corpusOut = null;
        int tasks = 8, threads = 2;
        List<String> configs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--europarl" -> europarl = Path.of(args[++i]);
                case "--zh" -> zh = args[++i].equals("none") ? null : Path.of(args[i]);
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--config" -> configs.add(args[++i]);
                case "--save-corpus" -> corpusOut = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class Javadoc");
            }
        }
        List<Config> settings = (configs.isEmpty() ? DEFAULT_CONFIGS : configs).stream().map(Config::parse).toList();
        List<String> texts = new ArrayList<>(Europarl.bodies(europarl));
        int en = texts.size();
        if (zh != null && Files.isRegularFile(zh)) texts.addAll(fortunes(zh, 100));
        List<NearDupGenerator.GenDoc> docs = NearDupGenerator.generate(texts, NearDupGenerator.Options.BENCH);
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (NearDupGenerator.GenDoc d : docs) kinds.merge(d.kind().name().toLowerCase(), 1, Integer::sum);
        System.out.println(JSON.writeValueAsString(Map.of("europarl_texts", en, "zh_texts", texts.size() - en, "docs", docs.size(), "kinds", kinds)));
        if (corpusOut != null) save(docs, corpusOut);
        Set<MinHasher.Shingle> warmed = new HashSet<>();
        for (Config c : settings) {
            if (!warmed.add(c.params().shingle())) continue;
            Path dir = Files.createTempDirectory("dedup-bench-warmup-");
            run("warmup", docs, c.params(), tasks, threads, dir);
            deleteTree(dir);
        }
        for (Config c : settings) {
            MinHasher.Params p = c.params();
            Path dir = work != null ? Files.createDirectories(work.resolve(c.name())) : Files.createTempDirectory("dedup-bench-");
            Result r = run(c.name(), docs, p, tasks, threads, dir);
            if (work == null) deleteTree(dir);
            Map<String, Object> line = new LinkedHashMap<>(JSON.convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
            line.put("shingle", p.shingle().name().toLowerCase());
            line.put("ngram", p.ngram());
            if (p.shingle() == MinHasher.Shingle.CHARS) line.put("ngram_cjk", p.cjkNgram());
            line.put("bands", p.bands());
            line.put("rows", p.rows());
            line.put("threshold", round(p.threshold()));
            System.out.println(JSON.writeValueAsString(line));
        }
    }
}
