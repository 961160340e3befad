package wanka.curate.clean;

/** Terminal punctuation shared by the line-level filters: the ASCII set datatrove uses plus the CJK full-width marks. */
final class Punctuation {
    private Punctuation() {
    }

    /** Whether {@code line} ends with . ? ! " ' (C4/FineWeb) or with 。！？”’」』 (CJK). */
    static boolean endsTerminal(String line) {
        if (line.isEmpty()) return false;
        return switch (line.charAt(line.length() - 1)) {
            case '.', '?', '!', '"', '\'', '。', '！', '？', '”', '’', '」', '』' -> true;
            default -> false;
        };
    }

    static boolean isSentenceEnd(char c) {
        return c == '.' || c == '!' || c == '?' || c == '。' || c == '！' || c == '？';
    }

    /**
     * Sentences in a line (stand-in for NLTK's punkt): runs of . ! ? followed by a space or the end of the line, and
     * every run of 。！？; a non-empty line with no such mark is one sentence. Abbreviations like "Mr." over-count.
     */
    static int sentences(String line) {
        int n = 0;
        int len = line.length();
        for (int i = 0; i < len; i++) {
            char c = line.charAt(i);
            if (!isSentenceEnd(c)) continue;
            int j = i;
            while (j + 1 < len && isSentenceEnd(line.charAt(j + 1))) j++;
            boolean cjk = c >= 0x3000;
            int k = j + 1;
            while (k < len && (line.charAt(k) == '"' || line.charAt(k) == '\'' || line.charAt(k) == '”' || line.charAt(k) == '’' || line.charAt(k) == ')')) k++;
            if (cjk || k == len || Words.isSpace(line.charAt(k))) n++;
            i = j;
        }
        return n == 0 && !line.isBlank() ? 1 : n;
    }
}
