package wanka.tokenizer.sp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * SentencePiece's text normalizer: user-defined symbols are kept verbatim, every other prefix is rewritten by the
 * precompiled character map (a Darts double-array trie over UTF-8 plus a blob of replacement strings; empty for
 * "identity"), then whitespace handling (remove extra spaces, dummy prefix, ' ' to '▁') as in
 * {@code normalizer.cc}.
 */
final class SpNormalizer {
    static final char SPACE = '\u2581';
    private static final byte[] SPACE_UTF8 = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final NormalizerSpec spec;
    private final boolean suffix;
    private final int[] trie;       // Darts units; empty for identity
    private final byte[] normalized; // replacement strings, NUL-terminated
    private final byte[][] userDefined; // sorted by length, longest first
    private final boolean charFastPath;

    SpNormalizer(NormalizerSpec spec, boolean treatWhitespaceAsSuffix, List<String> userDefinedSymbols, String what) {
        this.spec = spec;
        this.suffix = treatWhitespaceAsSuffix;
        byte[] cm = spec.precompiledCharsmap();
        if (cm.length == 0) {
            trie = new int[0];
            normalized = new byte[0];
        } else {
            if (cm.length < 4) throw new IllegalArgumentException(what + ": precompiled_charsmap too short");
            int trieSize = (cm[0] & 0xFF) | (cm[1] & 0xFF) << 8 | (cm[2] & 0xFF) << 16 | (cm[3] & 0xFF) << 24;
            if (trieSize < 0 || trieSize % 4 != 0 || 4 + trieSize > cm.length)
                throw new IllegalArgumentException(what + ": precompiled_charsmap trie size " + trieSize + " is invalid");
            trie = new int[trieSize / 4];
            for (int i = 0; i < trie.length; i++) {
                int o = 4 + 4 * i;
                trie[i] = (cm[o] & 0xFF) | (cm[o + 1] & 0xFF) << 8 | (cm[o + 2] & 0xFF) << 16 | (cm[o + 3] & 0xFF) << 24;
            }
            normalized = Arrays.copyOfRange(cm, 4 + trieSize, cm.length);
        }
        userDefined = userDefinedSymbols.stream().map(s -> s.getBytes(StandardCharsets.UTF_8))
                .sorted((a, b) -> b.length - a.length).toArray(byte[][]::new);
        charFastPath = trie.length == 0 && userDefinedSymbols.stream().noneMatch(u -> u.indexOf(' ') >= 0);
    }

    /** Whether normalization only handles whitespace (no character map). */
    boolean isIdentity() { return trie.length == 0; }

    /** Normalizes text; the result uses '▁' for spaces when escape_whitespaces is set. */
    String normalize(String text) {
        if (text.isEmpty()) return "";
        if (charFastPath) return normalizeIdentity(text);
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        Out out = new Out(in.length + 8);
        int[] prefix = new int[2]; // {offset into source (>=0: input, <0: -(1+blob offset)), length}; consumed in [2]
        int pos = 0;
        boolean removeWs = spec.removeExtraWhitespaces();
        if (removeWs) {
            while (pos < in.length) {
                int consumed = normalizePrefix(in, pos, prefix);
                if (!(prefix[1] == 1 && byteAt(in, prefix[0], 0) == ' ')) break;
                pos += consumed;
            }
        }
        if (pos >= in.length) return "";
        if (!suffix && spec.addDummyPrefix()) addWs(out);
        boolean prevSpace = removeWs;
        while (pos < in.length) {
            int consumed = normalizePrefix(in, pos, prefix);
            int src = prefix[0], len = prefix[1], k = 0;
            while (prevSpace && k < len && byteAt(in, src, k) == ' ') k++;
            if (k < len) {
                for (; k < len; k++) {
                    byte b = byteAt(in, src, k);
                    if (b == ' ' && spec.escapeWhitespaces()) out.add(SPACE_UTF8);
                    else out.add(b);
                }
                prevSpace = byteAt(in, src, len - 1) == ' ';
            }
            pos += consumed;
            if (!removeWs) prevSpace = false;
        }
        if (removeWs) {
            byte[] ws = spec.escapeWhitespaces() ? SPACE_UTF8 : new byte[]{' '};
            while (out.endsWith(ws)) out.n -= ws.length;
        }
        if (suffix && spec.addDummyPrefix()) addWs(out);
        return new String(out.a, 0, out.n, StandardCharsets.UTF_8);
    }

    private String normalizeIdentity(String t) {
        boolean removeWs = spec.removeExtraWhitespaces();
        char space = spec.escapeWhitespaces() ? SPACE : ' ';
        int pos = 0, n = t.length();
        if (removeWs) while (pos < n && t.charAt(pos) == ' ') pos++;
        if (pos == n) return "";
        StringBuilder sb = new StringBuilder(n - pos + 2);
        if (!suffix && spec.addDummyPrefix()) sb.append(space);
        boolean prevSpace = removeWs;
        for (; pos < n; pos++) {
            char c = t.charAt(pos);
            if (c == ' ') {
                if (!prevSpace) sb.append(space);
                prevSpace = removeWs;
            } else {
                sb.append(c);
                prevSpace = false;
            }
        }
        if (removeWs) while (sb.length() > 0 && sb.charAt(sb.length() - 1) == space) sb.setLength(sb.length() - 1);
        if (suffix && spec.addDummyPrefix()) sb.append(space);
        return sb.toString();
    }

    private byte byteAt(byte[] in, int src, int k) {
        return src >= 0 ? in[src + k] : normalized[-(src + 1) + k];
    }

    private void addWs(Out out) {
        if (spec.escapeWhitespaces()) out.add(SPACE_UTF8);
        else out.add((byte) ' ');
    }

    /** Sets r = {source, length} of the replacement for the prefix at {@code pos}; returns bytes consumed. */
    private int normalizePrefix(byte[] in, int pos, int[] r) {
        for (byte[] u : userDefined) {
            if (u.length <= in.length - pos && Arrays.equals(in, pos, pos + u.length, u, 0, u.length)) {
                r[0] = pos;
                r[1] = u.length;
                return u.length;
            }
        }
        int longestLen = 0, longestValue = 0;
        if (trie.length > 0) {
            int node = 0;
            int unit = trie[0];
            node ^= offset(unit);
            for (int i = pos; i < in.length; i++) {
                int c = in[i] & 0xFF;
                node ^= c;
                if (node >= trie.length) break;
                unit = trie[node];
                if ((unit & (0x80000000 | 0xFF)) != c) break;
                node ^= offset(unit);
                if (((unit >>> 8) & 1) == 1) {
                    longestLen = i + 1 - pos;
                    longestValue = trie[node] & 0x7FFFFFFF;
                }
            }
        }
        if (longestLen > 0) {
            int end = longestValue;
            while (end < normalized.length && normalized[end] != 0) end++;
            r[0] = -(longestValue + 1);
            r[1] = end - longestValue;
            return longestLen;
        }
        int len = Math.max(1, utf8Length(in, pos)); // Java strings always give valid UTF-8
        r[0] = pos;
        r[1] = len;
        return len;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    /** Length of the valid UTF-8 sequence at {@code pos}, or 0 if malformed. */
    static int utf8Length(byte[] s, int pos) {
        int b = s[pos] & 0xFF;
        int len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
        if (len == 0 || pos + len > s.length) return 0;
        for (int i = 1; i < len; i++) if ((s[pos + i] & 0xC0) != 0x80) return 0;
        return len;
    }

    private static final class Out {
        byte[] a;
        int n;

        Out(int cap) { a = new byte[cap]; }

        void add(byte b) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2 + 4);
            a[n++] = b;
        }

        void add(byte[] bs) { for (byte b : bs) add(b); }

        boolean endsWith(byte[] s) {
            return n >= s.length && Arrays.equals(a, n - s.length, n, s, 0, s.length);
        }
    }
}
