package wanka.tokenizer.bytelevel;

import wanka.tokenizer.IntList;
import wanka.tokenizer.SpecialTokenMatcher;
import wanka.tokenizer.SpecialTokens;
import wanka.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;

/**
 * Byte-level BPE (GPT-2 / Qwen2 family): split text at special tokens, pre-tokenize each segment with a regex, map
 * each pre-token's UTF-8 bytes to {@link ByteUnicode} characters, then apply merges lowest rank first (ties:
 * leftmost), as HF tokenizers' BPE model does.
 *
 * @see wanka.tokenizer.hf.TokenizerJson
 */
public final class ByteLevelBpe implements Tokenizer {
    /** A merge rule: two pieces whose concatenation is a vocabulary piece. */
    public record Merge(String left, String right) { }

    private static final int CACHE_MAX_ENTRIES = 1 << 20;

    private final String[] pieces;
    private final Map<String, Integer> ids;
    private final List<Merge> merges;
    private final Map<Long, Long> mergeRank; // (left<<32|right) -> (rank<<32|mergedId)
    private final int[] byteIds = new int[256];
    private final PreTokenizerPattern pattern;
    private final SpecialTokens specials;
    private final SpecialTokenMatcher matcher;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab    piece to id (ids dense from 0), including the special tokens
     * @param merges   merge rules, highest priority first
     * @param pattern  pre-tokenizer regex
     * @param specials special tokens (must be in {@code vocab})
     */
    public ByteLevelBpe(Map<String, Integer> vocab, List<Merge> merges, PreTokenizerPattern pattern, SpecialTokens specials) {
        this.pieces = new String[vocab.size()];
        vocab.forEach((p, id) -> {
            if (id < 0 || id >= pieces.length || pieces[id] != null) throw new IllegalArgumentException("vocab ids must be dense and unique: " + p + " -> " + id);
            pieces[id] = p;
        });
        this.ids = Map.copyOf(vocab);
        this.merges = List.copyOf(merges);
        this.pattern = pattern;
        this.specials = specials;
        this.matcher = specials.matcher();
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteUnicode.toChar(b)));
            if (id == null) throw new IllegalArgumentException("byte-level vocab lacks the piece for byte " + b + " (" + ByteUnicode.toChar(b) + ")");
            byteIds[b] = id;
        }
        mergeRank = new HashMap<>(merges.size() * 2);
        for (int r = 0; r < merges.size(); r++) {
            Merge m = merges.get(r);
            Integer a = vocab.get(m.left()), b = vocab.get(m.right()), c = vocab.get(m.left() + m.right());
            if (a == null || b == null || c == null) throw new IllegalArgumentException("merge " + r + " (" + m.left() + " " + m.right() + ") uses pieces missing from the vocab");
            mergeRank.putIfAbsent((long) a << 32 | b, (long) r << 32 | c);
        }
        for (var e : specials.tokens().entrySet()) {
            if (!e.getKey().equals(pieces[e.getValue()])) throw new IllegalArgumentException("special token " + e.getKey() + " is not piece " + e.getValue());
        }
    }

    /** The merge rules, highest priority first. */
    public List<Merge> merges() { return merges; }

    /** The pre-tokenizer. */
    public PreTokenizerPattern pattern() { return pattern; }

    /** Piece to id. */
    public Map<String, Integer> vocab() { return ids; }

    /** The same codec with other special-token handling. */
    public ByteLevelBpe withSpecials(SpecialTokens s) { return new ByteLevelBpe(ids, merges, pattern, s); }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        matcher.split(text, new SpecialTokenMatcher.Sink() {
            @Override public void text(String t, int from, int to) { encodeSegment(t.substring(from, to), out); }
            @Override public void special(int id) { out.add(id); }
        });
        return out.toArray();
    }

    @Override
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeSegment(text, out);
        return out.toArray();
    }

    private void encodeSegment(String text, IntList out) {
        Matcher m = pattern.pattern().matcher(text);
        while (m.find()) {
            String word = m.group();
            int[] cached = cache.get(word);
            if (cached == null) {
                cached = encodeWord(word.getBytes(StandardCharsets.UTF_8));
                if (cache.size() >= CACHE_MAX_ENTRIES) cache.clear();
                cache.put(word, cached);
            }
            out.addAll(cached);
        }
    }

    private int[] encodeWord(byte[] bytes) {
        int n = bytes.length;
        int[] sym = new int[n], next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            sym[i] = byteIds[bytes[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // heap of candidate merges: key = rank<<32 | leftPos, with the pair ids remembered for validation
        long[][] h = {new long[Math.max(4, n)], new long[Math.max(4, n)]}; // keys, and the pair (left id << 32 | right id)
        int[] size = {0};
        for (int i = 0; i + 1 < n; i++) push(h, size, sym, i, i + 1);
        while (size[0] > 0) {
            long top = h[0][0], pair = h[1][0];
            pop(h, size);
            int l = (int) top;
            int r = next[l];
            if (r < 0 || sym[l] != (int) (pair >>> 32) || sym[r] != (int) pair) continue;
            Long rc = mergeRank.get(pair);
            sym[l] = (int) (long) rc;
            sym[r] = -1;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            if (prev[l] >= 0) push(h, size, sym, prev[l], l);
            if (next[l] >= 0) push(h, size, sym, l, next[l]);
        }
        IntList out = new IntList(n);
        for (int i = 0; i >= 0; i = next[i]) out.add(sym[i]);
        return out.toArray();
    }

    private void push(long[][] h, int[] size, int[] sym, int l, int r) {
        long pair = (long) sym[l] << 32 | (sym[r] & 0xFFFFFFFFL);
        Long rc = mergeRank.get(pair);
        if (rc == null) return;
        long key = (rc >>> 32) << 32 | l;
        if (size[0] == h[0].length) {
            h[0] = Arrays.copyOf(h[0], size[0] * 2);
            h[1] = Arrays.copyOf(h[1], size[0] * 2);
        }
        long[] k = h[0], p = h[1];
        int i = size[0]++;
        while (i > 0) {
            int q = (i - 1) >>> 1;
            if (k[q] <= key) break;
            k[i] = k[q];
            p[i] = p[q];
            i = q;
        }
        k[i] = key;
        p[i] = pair;
    }

    private static void pop(long[][] h, int[] size) {
        long[] k = h[0], p = h[1];
        int n = --size[0];
        long lk = k[n], lp = p[n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && k[c + 1] < k[c]) c++;
            if (k[c] >= lk) break;
            k[i] = k[c];
            p[i] = p[c];
            i = c;
        }
        k[i] = lk;
        p[i] = lp;
    }

    @Override
    public String decode(int[] idArray) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringBuilder sb = new StringBuilder();
        for (int id : idArray) {
            if (id < 0 || id >= pieces.length) throw new IllegalArgumentException("id " + id + " out of range [0, " + pieces.length + ")");
            String p = pieces[id];
            if (specials.tokens().containsKey(p)) {
                sb.append(bytes.toString(StandardCharsets.UTF_8));
                bytes.reset();
                sb.append(p);
                continue;
            }
            for (int i = 0; i < p.length(); i++) {
                int b = ByteUnicode.toByte(p.charAt(i));
                if (b < 0) throw new IllegalArgumentException("piece " + id + " \"" + p + "\" has a non byte-level character");
                bytes.write(b);
            }
        }
        return sb.append(bytes.toString(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public int vocabSize() { return pieces.length; }

    @Override
    public String piece(int id) { return pieces[id]; }

    @Override
    public OptionalInt id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public SpecialTokens specials() { return specials; }
}
