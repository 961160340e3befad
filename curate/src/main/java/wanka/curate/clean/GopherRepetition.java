package wanka.curate.clean;

import wanka.curate.pipeline.TextFilter;
import wanka.curate.pipeline.StepOptions;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gopher repetition rules (Rae et al. 2021, Table A1) as datatrove computes them; a rule fires when its value is
 * above the threshold. Paragraphs are {@code text.strip()} split on {@code \n{2,}}, lines on {@code \n+}; duplicates
 * are counted after the first occurrence; character fractions divide by {@code text.length()}.
 * <ul>
 *   <li>{@code gopher_dup_para_frac} (0.30), {@code gopher_dup_para_char_frac} (0.20),
 *       {@code gopher_dup_line_frac} (0.30), {@code gopher_dup_line_char_frac} (0.20);</li>
 *   <li>{@code gopher_top_<n>_gram}: characters of the most frequent n-gram × its count, n=2,3,4 → 0.20, 0.18, 0.16;</li>
 *   <li>{@code gopher_duplicated_<n>_n_grams}: characters of repeated n-grams, scanning left to right and skipping n
 *       words after each repeat so overlaps count once, n=5…10 → 0.15, 0.14, 0.13, 0.12, 0.11, 0.10.</li>
 * </ul>
 * Words come from {@link Words} (CJK characters are one word each); an n-gram's characters are the span of text it
 * covers (for space-separated words this is datatrove's {@code len(" ".join(ngram))}; for Chinese no spaces are
 * invented). N-grams are compared by 64-bit hashes. Options: {@code dup_line_frac}, {@code dup_para_frac},
 * {@code dup_line_char_frac}, {@code dup_para_char_frac}, {@code top_n_grams} and {@code dup_n_grams} (mappings
 * n → fraction); 0 disables a rule.
 */
public final class GopherRepetition implements TextFilter {
    private static final Pattern PARAGRAPHS = Pattern.compile("\n{2,}");
    private static final Pattern LINES = Pattern.compile("\n+");

    private final double dupLineFrac, dupParaFrac, dupLineCharFrac, dupParaCharFrac;
    private final double[] topNGrams;  // index n → threshold (0 = off)
    private final double[] dupNGrams;
    private final HashCounts counts = new HashCounts();

    public GopherRepetition(double dupLineFrac, double dupParaFrac, double dupLineCharFrac, double dupParaCharFrac,
                            double[] topNGrams, double[] dupNGrams) {
        this.dupLineFrac = dupLineFrac;
        this.dupParaFrac = dupParaFrac;
        this.dupLineCharFrac = dupLineCharFrac;
        this.dupParaCharFrac = dupParaCharFrac;
        this.topNGrams = topNGrams.clone();
        this.dupNGrams = dupNGrams.clone();
    }

    /** Builds the step from its config options (datatrove defaults). */
    public static GopherRepetition from(StepOptions o) {
        return new GopherRepetition(o.number("dup_line_frac", 0.3), o.number("dup_para_frac", 0.3),
                o.number("dup_line_char_frac", 0.2), o.number("dup_para_char_frac", 0.2),
                ngrams(o, "top_n_grams", new double[]{0, 0, 0.20, 0.18, 0.16}),
                ngrams(o, "dup_n_grams", new double[]{0, 0, 0, 0, 0, 0.15, 0.14, 0.13, 0.12, 0.11, 0.10}));
    }

    public static GopherRepetition defaults() {
        return from(StepOptions.of("gopher_repetition"));
    }

    private static double[] ngrams(StepOptions o, String key, double[] def) {
        if (!o.has(key)) return def;
        var m = o.map(key);
        int max = 0;
        for (String k : m.keySet()) max = Math.max(max, n(k, key));
        double[] t = new double[max + 1];
        for (var e : m.entrySet()) t[n(e.getKey(), key)] = Double.parseDouble(e.getValue().toString());
        return t;
    }

    private static int n(String k, String key) {
        try {
            int n = Integer.parseInt(k.trim());
            if (n >= 1 && n <= 64) return n;
        } catch (NumberFormatException ignored) {
            // error below
        }
        throw new IllegalArgumentException("step 'gopher_repetition': option '" + key + "' keys must be n-gram sizes 1..64, got " + k);
    }

    @Override
    public String name() {
        return "gopher_repetition";
    }

    @Override
    public String check(String text) {
        if (text.isEmpty()) return null;
        double len = text.length();
        String[] paras = PARAGRAPHS.split(text.strip());
        long[] d = duplicates(paras);
        if (dupParaFrac > 0 && (double) d[0] / paras.length > dupParaFrac) return "gopher_dup_para_frac";
        if (dupParaCharFrac > 0 && d[1] / len > dupParaCharFrac) return "gopher_dup_para_char_frac";
        String[] lines = LINES.split(text.strip());
        d = duplicates(lines);
        if (dupLineFrac > 0 && (double) d[0] / lines.length > dupLineFrac) return "gopher_dup_line_frac";
        if (dupLineCharFrac > 0 && d[1] / len > dupLineCharFrac) return "gopher_dup_line_char_frac";

        Words w = Words.of(text);
        long[] th = new long[w.size()];
        for (int i = 0; i < th.length; i++) th[i] = w.hash(i);
        for (int n = 1; n < topNGrams.length; n++) {
            if (topNGrams[n] <= 0 || w.size() < n) continue;
            counts.clear();
            for (int i = 0; i + n <= w.size(); i++) counts.add(ngramHash(th, i, n), w.end(i + n - 1) - w.start(i));
            if (counts.topCountTimesLength() / len > topNGrams[n]) return "gopher_top_" + n + "_gram";
        }
        for (int n = 1; n < dupNGrams.length; n++) {
            if (dupNGrams[n] <= 0 || w.size() < n) continue;
            counts.clear();
            long repeated = 0;
            int last = w.size() - n;
            for (int i = 0; i <= last; ) {
                int span = w.end(i + n - 1) - w.start(i);
                if (counts.add(ngramHash(th, i, n), span) > 1) {
                    repeated += span;
                    i += n;
                } else {
                    i++;
                }
            }
            if (repeated / len > dupNGrams[n]) return "gopher_duplicated_" + n + "_n_grams";
        }
        return null;
    }

    private static long ngramHash(long[] th, int from, int n) {
        long h = n;
        for (int k = from; k < from + n; k++) h = (h ^ th[k]) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        return h;
    }

    /** {number of duplicates, characters in duplicates}, counting after the first occurrence. */
    static long[] duplicates(String[] items) {
        Set<String> seen = new HashSet<>(items.length * 2);
        long dup = 0, chars = 0;
        for (String s : items) {
            if (!seen.add(s)) {
                dup++;
                chars += s.length();
            }
        }
        return new long[]{dup, chars};
    }
}
