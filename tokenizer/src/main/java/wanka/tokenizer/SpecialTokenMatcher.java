package wanka.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Splits raw text at special tokens (longest match first, left to right); immutable once built. */
public final class SpecialTokenMatcher {
    /** Receives the parts of a text split at special tokens. */
    public interface Sink {
        /** A run of ordinary text {@code text[from, to)}, never empty. */
        void text(String text, int from, int to);

        /** A special token occurrence. */
        void special(int id);
    }

    private final SpecialTokens specials;
    private final Map<Character, String[]> byFirst = new HashMap<>();

    SpecialTokenMatcher(SpecialTokens specials) {
        this.specials = specials;
        Map<Character, List<String>> m = new HashMap<>();
        for (String t : specials.tokens().keySet()) m.computeIfAbsent(t.charAt(0), k -> new ArrayList<>()).add(t);
        m.forEach((c, l) -> {
            l.sort(Comparator.comparingInt(String::length).reversed());
            byFirst.put(c, l.toArray(String[]::new));
        });
    }

    /** Splits {@code text}; without {@link SpecialTokens#matchInText()} the whole text is one segment. */
    public void split(String text, Sink sink) {
        if (!specials.matchInText() || byFirst.isEmpty()) {
            if (!text.isEmpty()) sink.text(text, 0, text.length());
            return;
        }
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            String[] cands = byFirst.get(text.charAt(i));
            String hit = null;
            if (cands != null) {
                for (String c : cands) if (text.startsWith(c, i)) { hit = c; break; }
            }
            if (hit == null) { i++; continue; }
            if (i > start) sink.text(text, start, i);
            sink.special(specials.tokens().get(hit));
            i += hit.length();
            start = i;
        }
        if (start < text.length()) sink.text(text, start, text.length());
    }
}
