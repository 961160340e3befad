package wanka.curate.clean;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepOptions;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * C4 rules (Raffel et al. 2020) as datatrove's {@code C4QualityFilter} applies them, line by line (lines trimmed):
 * a line is removed when a whitespace-separated non-CJK run is longer than {@code max_word_length} (1000), when it
 * does not end in terminal punctuation or ends in "..." ({@code filter_no_terminal_punct}, true; CJK 。！？”」 count
 * as terminal), when it has fewer than {@code min_words_per_line} (3) words, when it mentions "javascript"
 * ({@code filter_javascript}) or a policy phrase ({@code filter_policy}: terms of use, privacy policy, cookie policy,
 * uses cookies, use of cookies, use cookies). Citations {@code [1]}, {@code [edit]}, {@code [citation needed]} are
 * cut ({@code remove_citations}). The whole document is dropped with {@code c4_lorem_ipsum} ({@code filter_lorem_ipsum})
 * or {@code c4_curly_bracket} ({@code filter_curly_bracket}) when a kept line contains them, and with
 * {@code c4_too_few_sentences} when the kept lines hold fewer than {@code min_num_sentences} (5; -1 disables)
 * sentences ({@link Punctuation#sentences}). Words are counted with {@link Words} (each CJK character is one).
 * The kept lines, joined by newlines, become the text.
 */
public record C4Quality(boolean removeCitations, boolean filterNoTerminalPunct, int minNumSentences, int minWordsPerLine,
                        int maxWordLength, boolean filterLoremIpsum, boolean filterJavascript, boolean filterCurlyBracket,
                        boolean filterPolicy) implements Step {
    private static final Pattern CITATION = Pattern.compile("\\[\\d*]|\\[edit]|\\[citation needed]");
    public static final List<String> POLICY = List.of("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies");

    /** Builds the step from its config options (datatrove defaults). */
    public static C4Quality from(StepOptions o) {
        return new C4Quality(o.bool("remove_citations", true), o.bool("filter_no_terminal_punct", true),
                o.integer("min_num_sentences", 5), o.integer("min_words_per_line", 3), o.integer("max_word_length", 1000),
                o.bool("filter_lorem_ipsum", true), o.bool("filter_javascript", true), o.bool("filter_curly_bracket", true),
                o.bool("filter_policy", true));
    }

    public static C4Quality defaults() {
        return from(StepOptions.of("c4_quality"));
    }

    @Override
    public String name() {
        return "c4_quality";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        StringBuilder kept = new StringBuilder(doc.text().length());
        int sentences = 0;
        for (String raw : doc.text().split("\\R")) {
            String line = raw.strip();
            ctx.count("line_total", 1);
            if (maxWordLength >= 0 && longestRun(line) > maxWordLength) {
                ctx.count("line_filter_too_long_word", 1);
                continue;
            }
            if (removeCitations && line.indexOf('[') >= 0) line = CITATION.matcher(line).replaceAll("");
            if (filterNoTerminalPunct && (!Punctuation.endsTerminal(line) || line.endsWith("..."))) {
                ctx.count("line_filter_no_terminal_punc", 1);
                continue;
            }
            if (Words.of(line).wordCount() < minWordsPerLine) {
                ctx.count("line_filter_too_few_words", 1);
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (filterLoremIpsum && lower.contains("lorem ipsum")) {
                ctx.drop("c4_lorem_ipsum");
                return null;
            }
            if (filterJavascript && lower.contains("javascript")) {
                ctx.count("line_filter_javascript", 1);
                continue;
            }
            if (filterCurlyBracket && line.indexOf('{') >= 0) {
                ctx.drop("c4_curly_bracket");
                return null;
            }
            if (filterPolicy && containsAny(lower, POLICY)) {
                ctx.count("line_filter_policy", 1);
                continue;
            }
            sentences += Punctuation.sentences(line);
            if (!kept.isEmpty()) kept.append('\n');
            kept.append(line);
        }
        if (sentences < minNumSentences) {
            ctx.drop("c4_too_few_sentences");
            return null;
        }
        String out = kept.toString().strip();
        return out.equals(doc.text()) ? doc : doc.withText(out);
    }

    static boolean containsAny(String s, List<String> needles) {
        for (String n : needles) if (s.contains(n)) return true;
        return false;
    }

    /** The longest run of non-space, non-CJK characters (C4's "word" for the length rule). */
    static int longestRun(String line) {
        int best = 0, run = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Words.isSpace(c) || (c >= 0x2E80 && Words.isCjk(c))) run = 0;
            else best = Math.max(best, ++run);
        }
        return best;
    }
}
