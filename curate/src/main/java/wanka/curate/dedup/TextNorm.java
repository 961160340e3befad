package wanka.curate.dedup;

import java.text.Normalizer;

/**
 * The text normalisation applied before hashing for de-duplication (datatrove's {@code TextNormConfig} defaults,
 * research notes §1.5): NFKD (full-width → half-width, ligatures split, diacritics separated), diacritics
 * (non-spacing marks) dropped, lower case, every digit → {@code 0}, punctuation removed, runs of white space
 * collapsed to one space and trimmed, then NFC again (so Hangul syllables stay composed). Pure ASCII text skips
 * the two Unicode normalisations.
 */
public final class TextNorm {
    private TextNorm() {
    }

    /** The normalised form of {@code text}. */
    public static String normalize(String text) {
        boolean ascii = isAscii(text);
        String t = ascii ? text : Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder b = new StringBuilder(t.length());
        boolean pendingSpace = false;
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = !b.isEmpty();
                continue;
            }
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || isPunctuation(type) || type == Character.CONTROL || type == Character.FORMAT) continue;
            if (pendingSpace) {
                b.append(' ');
                pendingSpace = false;
            }
            if (type == Character.DECIMAL_DIGIT_NUMBER) b.append('0');
            else b.appendCodePoint(Character.toLowerCase(cp));
        }
        return ascii ? b.toString() : Normalizer.normalize(b, Normalizer.Form.NFC);
    }

    private static boolean isPunctuation(int type) {
        return switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
