package wanka.curate.clean;

import wanka.curate.pipeline.StepRegistry;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers the cleaning step types: {@code normalize}, {@code language}, {@code gopher_quality},
 * {@code gopher_repetition}, {@code c4_quality}, {@code fineweb_quality}, {@code boilerplate}.
 */
public final class CleaningSteps {
    private CleaningSteps() {
    }

    /** Adds the cleaning steps to {@code r}; language identifiers are built once per distinct config and shared by tasks. */
    public static StepRegistry register(StepRegistry r) {
        ConcurrentHashMap<LanguageFilter.Config, LanguageIdentifier> identifiers = new ConcurrentHashMap<>();
        ConcurrentHashMap<Boolean, TraditionalToSimplified> t2s = new ConcurrentHashMap<>();
        return r.register("normalize", "Unicode clean-up: NFKC, whitespace, punctuation width, control characters (nfkc, collapse_spaces, trim_lines, max_blank_lines, punctuation, t2s: traditional→simplified Chinese)", f -> Normalize.from(f.options(), () -> t2s.computeIfAbsent(true, k -> TraditionalToSimplified.load())))
                .register("language", "keep documents in chosen languages above a confidence (languages: {zh: 0.65, en: 0.65}; model: lid176 (fastText, default) | lingua | PATH; max_chars)", f -> {
                    LanguageFilter.Config c = LanguageFilter.config(f.options());
                    return new LanguageFilter(identifiers.computeIfAbsent(c, LanguageFilter.Config::identifier), c.thresholds());
                })
                .register("gopher_quality", "Gopher quality rules, CJK-aware word counts (min/max_doc_words, min/max_avg_word_length, max_symbol_word_ratio, bullet/ellipsis ratios, stop words)", f -> GopherQuality.from(f.options()))
                .register("gopher_repetition", "Gopher repetition rules: duplicated lines/paragraphs, top 2–4-gram and duplicated 5–10-gram character fractions", f -> GopherRepetition.from(f.options()))
                .register("c4_quality", "C4 rules: drop lines without terminal punctuation, javascript/policy/lorem-ipsum lines, too few sentences (filter_*, min_num_sentences, min_words_per_line)", f -> C4Quality.from(f.options()))
                .register("fineweb_quality", "FineWeb rules: line-ending punctuation ratio, short-line ratio, duplicated-line characters, newline ratio", f -> FineWebQuality.from(f.options()))
                .register("boilerplate", "remove navigation, cookie/copyright notices, URL-only and code-noise lines (nav, notices, urls, code, extra_phrases)", f -> Boilerplate.from(f.options()));
    }
}
