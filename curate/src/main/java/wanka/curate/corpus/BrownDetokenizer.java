package wanka.curate.corpus;

import java.util.List;
import java.util.Set;

/**
 * Turns a tagged Brown Corpus sentence ({@code word/tag word/tag …}) back into running text: tags are dropped
 * (everything after a token's last {@code /}), {@code ``} and {@code ''} become {@code "}, and punctuation
 * attaches to its neighbours ({@code word ,} → {@code word,}; {@code ( word )} → {@code (word)}; quotes hug
 * the words they enclose; a lone {@code '} alternates between opening and closing within the sentence; the
 * sentence-final {@code .} after an abbreviation such as {@code Jr.} is dropped).
 */
public final class BrownDetokenizer {
    private static final Set<String> NO_SPACE_BEFORE = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "''");
    private static final Set<String> NO_SPACE_AFTER = Set.of("(", "[", "{", "``");

    private BrownDetokenizer() {
    }

    /** The word of a {@code word/tag} token ({@code 1-1/2/cd} → {@code 1-1/2}); a token without a tag is kept. */
    public static String word(String token) {
        int slash = token.lastIndexOf('/');
        return slash > 0 ? token.substring(0, slash) : token;
    }

    /** One sentence of tagged tokens as text. */
    public static String sentence(List<String> taggedTokens) {
        StringBuilder sb = new StringBuilder();
        boolean glue = true, singleOpen = false;
        for (String token : taggedTokens) {
            String w = word(token);
            if (w.equals(".") && !sb.isEmpty() && sb.charAt(sb.length() - 1) == '.') continue;
            boolean before, after;
            if (w.equals("'")) {
                before = singleOpen;
                after = !singleOpen;
                singleOpen = !singleOpen;
            } else {
                before = NO_SPACE_BEFORE.contains(w);
                after = NO_SPACE_AFTER.contains(w);
            }
            if (!glue && !before) sb.append(' ');
            sb.append(w.equals("``") || w.equals("''") ? "\"" : w);
            glue = after;
        }
        return sb.toString();
    }
}
