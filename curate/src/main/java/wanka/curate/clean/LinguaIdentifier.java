package wanka.curate.clean;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import java.util.Collection;
import java.util.Locale;
import java.util.SortedMap;

/**
 * Language identification with Lingua (n-gram Naive Bayes plus script rules) among a set of candidate languages,
 * on the text's first {@code maxChars} characters.
 *
 * <p>Score: Lingua-JVM 1.2 reports confidences relative to the top language (which always gets 1.0; the others get
 * the ratio of summed n-gram log-probabilities), not calibrated probabilities like fastText's. The score used here
 * is Lingua's own "relative distance", {@code 1 − confidence(runner-up)} (1.0 when the script rules leave a single
 * candidate, as for Han-only text vs Japanese). On Europarl paragraphs correct identifications score 0.11–0.45
 * (median 0.27), so European-language thresholds belong around 0.05–0.15.
 */
public final class LinguaIdentifier implements LanguageIdentifier {
    private final LanguageDetector detector;
    private final int maxChars;

    public LinguaIdentifier(Collection<Language> candidates, boolean lowAccuracy, int maxChars) {
        LanguageDetectorBuilder b = LanguageDetectorBuilder.fromLanguages(candidates.toArray(Language[]::new));
        this.detector = (lowAccuracy ? b.withLowAccuracyMode() : b).build();
        this.maxChars = maxChars;
    }

    /** The Lingua language for an ISO 639-1 code; the error names the step option. */
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

    /** The first {@code maxChars} characters of {@code text}, cut at a space when one is near; all of it when {@code maxChars <= 0}. */
    static String prefix(String text, int maxChars) {
        if (maxChars <= 0 || text.length() <= maxChars) return text;
        int cut = text.lastIndexOf(' ', maxChars);
        return text.substring(0, cut > maxChars / 2 ? cut : maxChars);
    }

    @Override
    public Identification identify(String text) {
        SortedMap<Language, Double> conf = detector.computeLanguageConfidenceValues(prefix(text, maxChars));
        if (conf.isEmpty()) return null;
        var it = conf.entrySet().iterator();
        Language top = it.next().getKey();
        if (top == Language.UNKNOWN) return null;
        double second = it.hasNext() ? it.next().getValue() : 0;
        return new Identification(code(top), 1 - second);
    }

    @Override
    public String describe() {
        return "Lingua relative distance";
    }
}
