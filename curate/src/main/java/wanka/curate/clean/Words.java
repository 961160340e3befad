package wanka.curate.clean;

import java.util.Arrays;

/**
 * A CJK-aware word tokenisation of a text, kept as offsets (no substrings), shared by the quality filters.
 *
 * <p>Rule (documented substitute for NLTK's {@code word_tokenize}, which datatrove uses):
 * <ul>
 *   <li>every Han, Hiragana, Katakana or Bopomofo code point is one word of its own ({@link #CJK}), so Chinese
 *       text counts one word per character;</li>
 *   <li>a run of letters, digits and combining marks is one word ({@link #WORD}); an apostrophe, hyphen or period
 *       between two such characters stays inside it ({@code don't}, {@code e-mail}, {@code 3.14});</li>
 *   <li>any other non-space code point (punctuation, symbols, emoji) is a one-character token ({@link #SYMBOL}),
 *       the analogue of the punctuation tokens NLTK emits and datatrove then excludes as "symbol words".</li>
 * </ul>
 * Lengths are in UTF-16 units, as is {@code String.length()} for the text the ratios divide by.
 */
public final class Words {
    public static final byte WORD = 0;
    public static final byte CJK = 1;
    public static final byte SYMBOL = 2;

    private final String text;
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private byte[] kinds = new byte[64];
    private int size;

    private Words(String text) {
        this.text = text;
    }

    /** Tokenises {@code text}. */
    public static Words of(String text) {
        Words w = new Words(text);
        int n = text.length();
        int i = 0;
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (isSpace(cp)) {
                i += len;
            } else if (isCjk(cp)) {
                w.add(i, i + len, CJK);
                i += len;
            } else if (isWordChar(cp)) {
                int start = i;
                i += len;
                while (i < n) {
                    int c = text.codePointAt(i);
                    if (isWordChar(c) && !isCjk(c)) {
                        i += Character.charCount(c);
                    } else if ((c == '\'' || c == '\u2019' || c == '-' || c == '.') && i + 1 < n
                            && isWordChar(text.codePointAt(i + 1)) && !isCjk(text.codePointAt(i + 1))) {
                        i++;
                    } else {
                        break;
                    }
                }
                w.add(start, i, WORD);
            } else {
                w.add(i, i + len, SYMBOL);
                i += len;
            }
        }
        return w;
    }

    private void add(int s, int e, byte k) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
            kinds = Arrays.copyOf(kinds, size * 2);
        }
        starts[size] = s;
        ends[size] = e;
        kinds[size] = k;
        size++;
    }

    /** Whitespace as Python's {@code str.split()} sees it, plus Unicode space separators. */
    public static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Han, Hiragana, Katakana or Bopomofo: scripts written without spaces between words. */
    public static boolean isCjk(int cp) {
        if (cp < 0x2E80) return false;
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.BOPOMOFO;
    }

    static boolean isWordChar(int cp) {
        if (cp < 128) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
        if (Character.isLetterOrDigit(cp)) return true;
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK;
    }

    public String text() {
        return text;
    }

    /** Number of tokens, symbols included. */
    public int size() {
        return size;
    }

    public int start(int i) {
        return starts[i];
    }

    public int end(int i) {
        return ends[i];
    }

    public byte kind(int i) {
        return kinds[i];
    }

    public int length(int i) {
        return ends[i] - starts[i];
    }

    /** Tokens that are not symbols: the "words" the Gopher rules count. */
    public int wordCount() {
        int c = 0;
        for (int i = 0; i < size; i++) if (kinds[i] != SYMBOL) c++;
        return c;
    }

    /** Tokens that are CJK characters. */
    public int cjkCount() {
        int c = 0;
        for (int i = 0; i < size; i++) if (kinds[i] == CJK) c++;
        return c;
    }

    /** Whether token {@code i} equals {@code word}, ignoring case. */
    public boolean equalsIgnoreCase(int i, String word) {
        return length(i) == word.length() && text.regionMatches(true, starts[i], word, 0, word.length());
    }

    /** A 64-bit hash of token {@code i}'s characters. */
    public long hash(int i) {
        long h = 0xcbf29ce484222325L;
        for (int k = starts[i]; k < ends[i]; k++) {
            h ^= text.charAt(k);
            h *= 0x100000001b3L;
        }
        return h ^ (h >>> 29);
    }

    /** The token's text (allocates; for tests and messages). */
    public String get(int i) {
        return text.substring(starts[i], ends[i]);
    }
}
