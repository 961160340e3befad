package wanka.tokenizer.bytelevel;

import java.util.regex.Pattern;

/** Regex pre-tokenizers of byte-level BPE families (the HF tokenizers "Split" pattern, behaviour "Isolated"). */
public enum PreTokenizerPattern {
    /** GPT-2's pattern. */
    GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2's pattern (cl100k-like, single digits). */
    QWEN2("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /** The regex as written in tokenizer.json. */
    public final String regex;
    private final Pattern pattern;

    PreTokenizerPattern(String regex) {
        this.regex = regex;
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Compiled pattern (Unicode character classes, like Oniguruma's). */
    public Pattern pattern() { return pattern; }

    /** The enum constant whose regex equals {@code regex}, if any. */
    public static java.util.Optional<PreTokenizerPattern> of(String regex) {
        for (PreTokenizerPattern p : values()) if (p.regex.equals(regex)) return java.util.Optional.of(p);
        return java.util.Optional.empty();
    }
}
