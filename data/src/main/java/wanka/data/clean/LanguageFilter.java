package wanka.data.clean;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import wanka.data.pipeline.Document;
import wanka.data.pipeline.Step;
import wanka.data.pipeline.StepContext;
import wanka.data.pipeline.StepOptions;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Language identification with per-language confidence thresholds (Lingua, n-gram Naive Bayes plus script rules).
 * Keeps a document when its top language is one of {@code languages} and its confidence is at least that language's
 * threshold, tagging {@code metadata.language} (ISO 639-1) and {@code language_score}; otherwise drops it with reason
 * {@code language_<code>} (top language not wanted), {@code language_low_score} or {@code language_unknown} (no
 * letters to judge).
 *
 * <p>Options: {@code languages} (required mapping code → threshold, e.g. {@code {zh: 0.5, en: 0.65}}),
 * {@code candidates} (the languages the detector chooses among: a list of codes or {@code all}; default
 * {@code languages} plus {@link #DEFAULT_CANDIDATES} — text in a language outside the candidates is forced onto the
 * nearest candidate, so keep this list broad), {@code low_accuracy} (false: trigram models only, faster, worse on
 * short text), {@code max_chars} (1000: only this prefix of the text, cut at a space, is classified).
 *
 * <p>Score: Lingua-JVM 1.2 reports confidences relative to the top language (which always gets 1.0; the others get
 * the ratio of summed n-gram log-probabilities), not calibrated probabilities like fastText's. The score used here
 * is Lingua's own "relative distance", {@code 1 − confidence(runner-up)} (1.0 when the script rules leave a single
 * candidate, as for Han-only text vs Japanese). It is not on fastText's scale: on Europarl paragraphs correct
 * identifications score 0.11–0.45 (median 0.27), so European-language thresholds belong around 0.05–0.15;
 * datatrove's 0.65 would drop nearly everything.
 */
public final class LanguageFilter implements Step {
    /** Widely used web languages added to the candidates unless {@code candidates} is given. */
    public static final List<String> DEFAULT_CANDIDATES = List.of("en", "zh", "ja", "ko", "ru", "de", "fr", "es", "pt", "it",
            "nl", "pl", "sv", "da", "fi", "el", "cs", "tr", "ar", "fa", "vi", "id", "th", "uk", "hu", "ro");

    private final LanguageDetector detector;
    private final Map<Language, Double> thresholds;
    private final int maxChars;

    public LanguageFilter(LanguageDetector detector, Map<Language, Double> thresholds, int maxChars) {
        if (maxChars <= 0) throw new IllegalArgumentException("step 'language': option 'max_chars' must be > 0, got " + maxChars);
        this.detector = detector;
        this.thresholds = Map.copyOf(thresholds);
        this.maxChars = maxChars;
    }

    /** What a detector is built from; equal configs may share one detector. */
    public record Config(Map<Language, Double> thresholds, Set<Language> candidates, boolean lowAccuracy, int maxChars) {
        public Config {
            thresholds = Map.copyOf(thresholds);
            candidates = Set.copyOf(candidates);
        }

        public LanguageDetector detector() {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromLanguages(candidates.toArray(Language[]::new));
            return (lowAccuracy ? b.withLowAccuracyMode() : b).build();
        }
    }

    /** Parses and checks the step's options. */
    public static Config config(StepOptions o) {
        Map<String, Object> langs = o.map("languages");
        if (langs.isEmpty()) throw new IllegalArgumentException("step 'language': option 'languages' (code: threshold, e.g. {zh: 0.5, en: 0.65}) is required");
        Map<Language, Double> th = new LinkedHashMap<>();
        for (var e : langs.entrySet()) {
            double t;
            try {
                t = e.getValue() == null ? 0 : Double.parseDouble(e.getValue().toString());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("step 'language': option 'languages." + e.getKey() + "' must be a number in [0, 1], got " + e.getValue());
            }
            if (t < 0 || t > 1) throw new IllegalArgumentException("step 'language': option 'languages." + e.getKey() + "' must be in [0, 1], got " + t);
            th.put(language(e.getKey(), "languages"), t);
        }
        Set<Language> cands = new LinkedHashSet<>(th.keySet());
        List<String> given = o.strings("candidates", null);
        if (given != null && given.size() == 1 && given.getFirst().equals("all")) {
            cands.addAll(Language.allSpokenOnes());
        } else {
            for (String c : given == null ? DEFAULT_CANDIDATES : given) cands.add(language(c, "candidates"));
        }
        if (cands.size() < 2) throw new IllegalArgumentException("step 'language': at least two candidate languages are needed, got " + cands);
        return new Config(th, cands, o.bool("low_accuracy", false), o.integer("max_chars", 1000));
    }

    /** The Lingua language for an ISO 639-1 code; the error names the option. */
    public static Language language(String code, String option) {
        try {
            Language l = Language.getByIsoCode639_1(IsoCode639_1.valueOf(code.trim().toUpperCase(Locale.ROOT)));
            if (l != Language.UNKNOWN) return l;
        } catch (IllegalArgumentException ignored) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("step 'language': option '" + option + "' has unknown language code '" + code + "' (ISO 639-1, e.g. en, zh)");
    }

    /** The ISO 639-1 code of a Lingua language. */
    public static String code(Language l) {
        return l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String name() {
        return "language";
    }

    /** The top language and its score (see the class comment), or null when the text has nothing to judge. */
    public Map.Entry<Language, Double> identify(String text) {
        String t = text;
        if (t.length() > maxChars) {
            int cut = t.lastIndexOf(' ', maxChars);
            t = t.substring(0, cut > maxChars / 2 ? cut : maxChars);
        }
        SortedMap<Language, Double> conf = detector.computeLanguageConfidenceValues(t);
        if (conf.isEmpty()) return null;
        var it = conf.entrySet().iterator();
        Language top = it.next().getKey();
        double second = it.hasNext() ? it.next().getValue() : 0;
        return Map.entry(top, 1 - second);
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        Map.Entry<Language, Double> top = identify(doc.text());
        if (top == null || top.getKey() == Language.UNKNOWN) {
            ctx.drop("language_unknown");
            return null;
        }
        Double threshold = thresholds.get(top.getKey());
        if (threshold == null) {
            ctx.drop("language_" + code(top.getKey()));
            return null;
        }
        if (top.getValue() < threshold) {
            ctx.drop("language_low_score");
            return null;
        }
        return doc.with(Document.LANGUAGE, code(top.getKey()))
                .with("language_score", String.format(Locale.ROOT, "%.4f", top.getValue()));
    }
}
