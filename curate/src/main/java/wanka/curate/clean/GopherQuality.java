package wanka.curate.clean;

import wanka.curate.pipeline.TextFilter;
import wanka.curate.pipeline.StepOptions;

import java.util.List;

/**
 * Gopher quality rules (Rae et al. 2021) with datatrove's defaults and drop reasons. A document is dropped by the
 * first rule that fires:
 * <ul>
 *   <li>{@code gopher_short_doc} / {@code gopher_long_doc}: non-symbol words &lt; {@code min_doc_words} (50) or
 *       &gt; {@code max_doc_words} (100 000);</li>
 *   <li>{@code gopher_below_avg_threshold} / {@code gopher_above_avg_threshold}: mean non-symbol word length outside
 *       [{@code min_avg_word_length} 3, {@code max_avg_word_length} 10];</li>
 *   <li>{@code gopher_too_many_hashes} / {@code gopher_too_many_ellipsis}: {@code count('#')} or
 *       {@code count('...') + count('…')} over the word count &gt; {@code max_symbol_word_ratio} (0.1);</li>
 *   <li>{@code gopher_too_many_bullets}: more than {@code max_bullet_lines_ratio} (0.9) of lines start (after leading
 *       space) with one of {@code bullets} (• and -);</li>
 *   <li>{@code gopher_too_many_end_ellipsis}: more than {@code max_ellipsis_lines_ratio} (0.3) of lines end with ... or …;</li>
 *   <li>{@code gopher_below_alpha_threshold}: tokens with an alphabetic character over the word count &lt;
 *       {@code min_alpha_words_ratio} (0.8; datatrove calls it {@code max_non_alpha_words_ratio});</li>
 *   <li>{@code gopher_enough_stop_words}: fewer than {@code min_stop_words} (2) stop-word occurrences
 *       ({@code stop_words}: the, be, to, of, and, that, have, with).</li>
 * </ul>
 * CJK rule: words come from {@link Words}, so each Han/kana character is a word. A document whose words are at least
 * half CJK characters skips the mean-word-length rule (a character is not a word length) and counts the Chinese stop
 * words {@code cjk_stop_words} (的 了 是 在 和 有 不 这 我 也 就 人) instead of the English ones. A value of 0 disables a rule.
 */
public record GopherQuality(int minDocWords, int maxDocWords, double minAvgWordLength, double maxAvgWordLength,
                            double maxSymbolWordRatio, double maxBulletLinesRatio, double maxEllipsisLinesRatio,
                            double minAlphaWordsRatio, int minStopWords, List<String> bullets, List<String> stopWords,
                            List<String> cjkStopWords) implements TextFilter {
    public static final List<String> STOP_WORDS = List.of("the", "be", "to", "of", "and", "that", "have", "with");
    public static final List<String> CJK_STOP_WORDS = List.of("的", "了", "是", "在", "和", "有", "不", "这", "我", "也", "就", "人");

    public GopherQuality {
        bullets = List.copyOf(bullets);
        stopWords = List.copyOf(stopWords);
        cjkStopWords = List.copyOf(cjkStopWords);
    }

    /** Builds the step from its config options (datatrove defaults). */
    public static GopherQuality from(StepOptions o) {
        return new GopherQuality(o.integer("min_doc_words", 50), o.integer("max_doc_words", 100_000),
                o.number("min_avg_word_length", 3), o.number("max_avg_word_length", 10), o.number("max_symbol_word_ratio", 0.1),
                o.number("max_bullet_lines_ratio", 0.9), o.number("max_ellipsis_lines_ratio", 0.3),
                o.number("min_alpha_words_ratio", 0.8), o.integer("min_stop_words", 2), o.strings("bullets", List.of("•", "-")),
                o.strings("stop_words", STOP_WORDS), o.strings("cjk_stop_words", CJK_STOP_WORDS));
    }

    /** The datatrove defaults. */
    public static GopherQuality defaults() {
        return from(StepOptions.of("gopher_quality"));
    }

    @Override
    public String name() {
        return "gopher_quality";
    }

    @Override
    public String check(String text) {
        Words w = Words.of(text);
        int nWords = 0, cjk = 0, alpha = 0;
        long wordChars = 0;
        for (int i = 0; i < w.size(); i++) {
            byte k = w.kind(i);
            if (k == Words.SYMBOL) continue;
            nWords++;
            if (k == Words.CJK) {
                cjk++;
                alpha++;
            } else {
                wordChars += w.length(i);
                if (hasLetter(text, w.start(i), w.end(i))) alpha++;
            }
        }
        if (minDocWords > 0 && nWords < minDocWords) return "gopher_short_doc";
        if (maxDocWords > 0 && nWords > maxDocWords) return "gopher_long_doc";
        boolean cjkDoc = 2L * cjk >= nWords;
        if (!cjkDoc) {
            double avg = (double) wordChars / (nWords - cjk);
            if (minAvgWordLength > 0 && avg < minAvgWordLength) return "gopher_below_avg_threshold";
            if (maxAvgWordLength > 0 && avg > maxAvgWordLength) return "gopher_above_avg_threshold";
        }
        if (maxSymbolWordRatio > 0) {
            if ((double) count(text, "#") / nWords > maxSymbolWordRatio) return "gopher_too_many_hashes";
            if ((double) (count(text, "...") + count(text, "…")) / nWords > maxSymbolWordRatio) return "gopher_too_many_ellipsis";
        }
        if (maxBulletLinesRatio > 0 || maxEllipsisLinesRatio > 0) {
            int lines = 0, bullet = 0, ellipsis = 0;
            for (String line : text.split("\\R")) {
                lines++;
                String s = line.strip();
                for (String b : bullets) {
                    if (s.startsWith(b)) {
                        bullet++;
                        break;
                    }
                }
                if (s.endsWith("...") || s.endsWith("…")) ellipsis++;
            }
            if (maxBulletLinesRatio > 0 && (double) bullet / lines > maxBulletLinesRatio) return "gopher_too_many_bullets";
            if (maxEllipsisLinesRatio > 0 && (double) ellipsis / lines > maxEllipsisLinesRatio) return "gopher_too_many_end_ellipsis";
        }
        if (minAlphaWordsRatio > 0 && (double) alpha / nWords < minAlphaWordsRatio) return "gopher_below_alpha_threshold";
        if (minStopWords > 0) {
            List<String> sw = cjkDoc ? cjkStopWords : stopWords;
            int found = 0;
            for (int i = 0; i < w.size() && found < minStopWords; i++) {
                for (String s : sw) {
                    if (w.equalsIgnoreCase(i, s)) {
                        found++;
                        break;
                    }
                }
            }
            if (found < minStopWords) return "gopher_enough_stop_words";
        }
        return null;
    }

    static boolean hasLetter(String s, int from, int to) {
        for (int i = from; i < to; i++) if (Character.isLetter(s.charAt(i))) return true;
        return false;
    }

    static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) c++;
        return c;
    }
}
