package wanka.curate.steps;

import wanka.curate.pipeline.TextFilter;

/** Drops documents shorter than {@code min_chars} or longer than {@code max_chars} (code points). */
public record LengthFilter(int minChars, int maxChars) implements TextFilter {
    @Override
    public String name() {
        return "length_filter";
    }

    @Override
    public String check(String text) {
        int n = text.codePointCount(0, text.length());
        return n < minChars ? "too_short" : n > maxChars ? "too_long" : null;
    }
}
