package wanka.tokenizer.sp;

import java.util.List;

/** Open-addressing hash from piece text to id that looks up char ranges without allocating strings. */
final class PieceTable {
    private final String[] texts;
    private final int[] slots;
    private final int mask;

    PieceTable(List<String> texts) {
        this.texts = texts.toArray(String[]::new);
        int cap = Integer.highestOneBit(Math.max(16, texts.size() * 3)) << 1;
        slots = new int[cap];
        java.util.Arrays.fill(slots, -1);
        mask = cap - 1;
        for (int id = 0; id < this.texts.length; id++) {
            String t = this.texts[id];
            int h = mix(t.hashCode()) & mask;
            while (slots[h] >= 0) {
                if (this.texts[slots[h]].equals(t)) throw new IllegalArgumentException("duplicate piece \"" + t + "\" at ids " + slots[h] + " and " + id);
                h = (h + 1) & mask;
            }
            slots[h] = id;
        }
    }

    /** Id of {@code s[from, to)} or -1. */
    int get(char[] s, int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) hash = 31 * hash + s[i];
        int len = to - from;
        for (int h = mix(hash) & mask; ; h = (h + 1) & mask) {
            int id = slots[h];
            if (id < 0) return -1;
            String t = texts[id];
            if (t.length() == len && regionEquals(t, s, from, len)) return id;
        }
    }

    /** Id of a whole string or -1. */
    int get(String s) {
        char[] c = s.toCharArray();
        return get(c, 0, c.length);
    }

    private static boolean regionEquals(String t, char[] s, int from, int len) {
        for (int i = 0; i < len; i++) if (t.charAt(i) != s[from + i]) return false;
        return true;
    }

    private static int mix(int h) { return h ^ (h >>> 16) ^ (h >>> 7); }
}
