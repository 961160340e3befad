package wanka.tokenizer.sp;

import wanka.tokenizer.IntList;
import wanka.tokenizer.SpecialTokenMatcher;
import wanka.tokenizer.SpecialTokens;
import wanka.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece BPE codec, bit-exact with {@code bpe_model.cc}: normalize, split into characters (user-defined
 * symbols are single frozen symbols), then repeatedly merge the adjacent pair whose concatenation is the
 * highest-scoring piece (ties: leftmost), and finally map pieces missing from the vocabulary to byte pieces
 * ({@code byte_fallback}) or to unk.
 *
 * <p>Speed: the normalized text is cut before every '▁' that follows a non-'▁' character when no piece spans such a
 * boundary (checked at load), which makes each word independent; word results are cached.
 */
public final class SentencePieceBpe implements Tokenizer {
    private static final int CACHE_MAX_CHARS = 48;
    private static final int CACHE_MAX_ENTRIES = 1 << 20;

    private final SentencePieceModel model;
    private final PieceType[] types;
    private final float[] scores;
    private final PieceTable table;
    private final int[] byteIds = new int[256];
    private final int unkId;
    private final boolean byteFallback;
    private final SpNormalizer normalizer;
    private final char[][] userDefined; // longest first
    private final boolean chunkable;
    private final SpecialTokens specials;
    private final SpecialTokenMatcher matcher;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /** Codec for a model; special tokens are its control and unknown pieces, matched in raw text. */
    public SentencePieceBpe(SentencePieceModel model) {
        this(model, null);
    }

    private SentencePieceBpe(SentencePieceModel model, SpecialTokens specials) {
        this.model = model;
        if (model.trainer().modelType() != TrainerSpec.BPE)
            throw new IllegalArgumentException("SentencePiece model type " + model.trainer().modelType() + " is not BPE (2)");
        int n = model.pieces().size();
        types = new PieceType[n];
        scores = new float[n];
        List<String> texts = new ArrayList<>(n);
        List<String> user = new ArrayList<>();
        Arrays.fill(byteIds, -1);
        int unk = -1;
        boolean crossing = false;
        for (int i = 0; i < n; i++) {
            Piece p = model.pieces().get(i);
            types[i] = p.type();
            scores[i] = p.score();
            texts.add(p.text());
            switch (p.type()) {
                case UNKNOWN -> unk = i;
                case USER_DEFINED -> user.add(p.text());
                case BYTE -> byteIds[parseByte(p.text())] = i;
                default -> { }
            }
            if (isMergeable(p.type())) crossing |= hasInnerSpaceBoundary(p.text());
        }
        if (unk < 0) throw new IllegalArgumentException("SentencePiece model has no unknown piece");
        unkId = unk;
        table = new PieceTable(texts);
        byteFallback = model.trainer().byteFallback();
        normalizer = new SpNormalizer(model.normalizer(), model.trainer().treatWhitespaceAsSuffix(), user, "normalizer_spec");
        userDefined = user.stream().sorted((a, b) -> b.length() - a.length()).map(String::toCharArray).toArray(char[][]::new);
        chunkable = !crossing && !model.trainer().treatWhitespaceAsSuffix();
        this.specials = specials != null ? specials : defaultSpecials();
        this.matcher = this.specials.matcher();
    }

    /** Reads a {@code .model} file. */
    public static SentencePieceBpe load(Path file) throws IOException {
        return new SentencePieceBpe(SentencePieceModel.read(file));
    }

    /** The same codec with other special-token handling. */
    public SentencePieceBpe withSpecials(SpecialTokens specials) {
        return new SentencePieceBpe(model, specials);
    }

    /** The underlying model. */
    public SentencePieceModel model() { return model; }

    private SpecialTokens defaultSpecials() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == PieceType.CONTROL || types[i] == PieceType.UNKNOWN) m.put(model.pieces().get(i).text(), i);
        }
        TrainerSpec t = model.trainer();
        return new SpecialTokens(m, idIf(t.bosId()), idIf(t.eosId()), idIf(t.padId()), idIf(t.unkId()), true);
    }

    private OptionalInt idIf(int id) {
        return id >= 0 && id < types.length ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        matcher.split(text, new SpecialTokenMatcher.Sink() {
            @Override public void text(String t, int from, int to) { encodeOrdinary(t.substring(from, to), out); }
            @Override public void special(int id) { out.add(id); }
        });
        return out.toArray();
    }

    /** Encodes text exactly as SentencePiece does, without special-token matching. */
    @Override
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeOrdinary(text, out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        String norm = normalizer.normalize(text);
        if (norm.isEmpty()) return;
        char[] s = norm.toCharArray();
        if (!chunkable) {
            encodeChunk(s, 0, s.length, out);
            return;
        }
        int start = 0;
        for (int i = 1; i <= s.length; i++) {
            if (i == s.length || (s[i] == SpNormalizer.SPACE && s[i - 1] != SpNormalizer.SPACE)) {
                int len = i - start;
                if (len <= CACHE_MAX_CHARS) {
                    String key = new String(s, start, len);
                    int[] ids = cache.get(key);
                    if (ids == null) {
                        IntList tmp = new IntList(len);
                        encodeChunk(s, start, i, tmp);
                        ids = tmp.toArray();
                        if (cache.size() >= CACHE_MAX_ENTRIES) cache.clear();
                        cache.put(key, ids);
                    }
                    out.addAll(ids);
                } else {
                    encodeChunk(s, start, i, out);
                }
                start = i;
            }
        }
    }

    /** The BPE loop of {@code bpe_model.cc} over {@code s[from, to)}. */
    private void encodeChunk(char[] s, int from, int to, IntList out) {
        int cap = to - from;
        int[] start = new int[cap], len = new int[cap], prev = new int[cap], next = new int[cap];
        boolean[] frozen = new boolean[cap];
        int n = 0;
        for (int p = from; p < to; ) {
            int l = matchUserDefined(s, p, to);
            boolean f = l > 0;
            if (!f) l = Character.isHighSurrogate(s[p]) && p + 1 < to && Character.isLowSurrogate(s[p + 1]) ? 2 : 1;
            start[n] = p;
            len[n] = l;
            frozen[n] = f;
            prev[n] = n - 1;
            p += l;
            next[n] = p < to ? n + 1 : -1;
            n++;
        }
        Agenda agenda = new Agenda(n);
        Map<String, String[]> revMerge = null;
        for (int i = 0; i + 1 < n; i++) revMerge = tryPair(s, i, i + 1, start, len, frozen, agenda, revMerge);
        while (!agenda.isEmpty()) {
            int e = agenda.pop();
            int l = agenda.left[e], r = agenda.right[e];
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != agenda.size[e]) continue;
            len[l] += len[r];
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            len[r] = 0;
            if (prev[l] >= 0) revMerge = tryPair(s, prev[l], l, start, len, frozen, agenda, revMerge);
            if (next[l] >= 0) revMerge = tryPair(s, l, next[l], start, len, frozen, agenda, revMerge);
        }
        boolean prevUnk = false;
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            prevUnk = emit(s, start[i], start[i] + len[i], revMerge, out, prevUnk);
        }
    }

    private Map<String, String[]> tryPair(char[] s, int l, int r, int[] start, int[] len, boolean[] frozen,
                                          Agenda agenda, Map<String, String[]> revMerge) {
        if (frozen[l] || frozen[r]) return revMerge;
        int id = table.get(s, start[l], start[r] + len[r]);
        if (id < 0 || !isMergeable(types[id])) return revMerge;
        agenda.push(scores[id], l, r, len[l] + len[r]);
        if (types[id] == PieceType.UNUSED) {
            if (revMerge == null) revMerge = new HashMap<>();
            revMerge.put(new String(s, start[l], len[l] + len[r]),
                    new String[]{new String(s, start[l], len[l]), new String(s, start[r], len[r])});
        }
        return revMerge;
    }

    /** Appends the ids of piece {@code s[a, b)}; returns whether it was an unknown piece. */
    private boolean emit(char[] s, int a, int b, Map<String, String[]> revMerge, IntList out, boolean prevUnk) {
        int id = table.get(s, a, b);
        if (id >= 0 && types[id] == PieceType.UNUSED && revMerge != null) {
            String[] lr = revMerge.get(new String(s, a, b - a));
            if (lr != null) {
                char[] l = lr[0].toCharArray(), r = lr[1].toCharArray();
                prevUnk = emit(l, 0, l.length, revMerge, out, prevUnk);
                return emit(r, 0, r.length, revMerge, out, prevUnk);
            }
        }
        if (id >= 0 && id != unkId) {
            out.add(id);
            return false;
        }
        if (byteFallback) {
            for (byte x : new String(s, a, b - a).getBytes(StandardCharsets.UTF_8)) {
                int bid = byteIds[x & 0xFF];
                out.add(bid >= 0 ? bid : unkId);
            }
            return false;
        }
        if (!prevUnk) out.add(unkId);
        return true;
    }

    private int matchUserDefined(char[] s, int p, int to) {
        outer:
        for (char[] u : userDefined) {
            if (u.length > to - p) continue;
            for (int k = 0; k < u.length; k++) if (s[p + k] != u[k]) continue outer;
            return u.length;
        }
        return 0;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 4);
        byte[] bytes = new byte[16];
        int nb = 0;
        boolean bosWs = true;
        boolean stripBos = model.normalizer().addDummyPrefix() || model.normalizer().removeExtraWhitespaces();
        for (int k = 0; k <= ids.length; k++) {
            int id = k < ids.length ? ids[k] : -1;
            if (id >= types.length || id < -1) throw new IllegalArgumentException("id " + id + " out of range [0, " + types.length + ")");
            if (id >= 0 && types[id] == PieceType.BYTE) {
                if (nb == bytes.length) bytes = Arrays.copyOf(bytes, nb * 2);
                bytes[nb++] = (byte) parseByte(model.pieces().get(id).text());
                continue;
            }
            if (nb > 0) {
                String t = decodeUtf8(bytes, nb);
                nb = 0;
                sb.append(t);
                if (!t.isEmpty()) bosWs = false;
            }
            if (id < 0) break;
            String surface;
            PieceType t = types[id];
            String piece = model.pieces().get(id).text();
            if (t == PieceType.CONTROL) surface = "";
            else if (t == PieceType.UNKNOWN) surface = model.trainer().unkSurface();
            else {
                if (bosWs && stripBos && piece.charAt(0) == SpNormalizer.SPACE) piece = piece.substring(1);
                surface = piece.replace(SpNormalizer.SPACE, ' ');
            }
            sb.append(surface);
            if (!surface.isEmpty()) bosWs = false;
        }
        return sb.toString();
    }

    /** UTF-8 decoding where each byte of a malformed sequence becomes U+FFFD, as SentencePiece does. */
    private static String decodeUtf8(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(n);
        byte[] view = Arrays.copyOf(b, n);
        for (int i = 0; i < n; ) {
            int len = SpNormalizer.utf8Length(view, i);
            if (len == 0) {
                sb.append('\uFFFD');
                i++;
            } else {
                sb.append(new String(view, i, len, StandardCharsets.UTF_8));
                i += len;
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() { return types.length; }

    @Override
    public String piece(int id) { return model.pieces().get(id).text(); }

    @Override
    public OptionalInt id(String piece) {
        int id = table.get(piece);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public SpecialTokens specials() { return specials; }

    /** Type of the piece with this id. */
    public PieceType type(int id) { return types[id]; }

    private static boolean isMergeable(PieceType t) {
        return t == PieceType.NORMAL || t == PieceType.USER_DEFINED || t == PieceType.UNUSED;
    }

    /** Whether a '▁' follows a non-'▁' character inside the piece (so it could span a word boundary). */
    private static boolean hasInnerSpaceBoundary(String t) {
        for (int i = 1; i < t.length(); i++) if (t.charAt(i) == SpNormalizer.SPACE && t.charAt(i - 1) != SpNormalizer.SPACE) return true;
        return false;
    }

    static int parseByte(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>')
            throw new IllegalArgumentException("byte piece \"" + text + "\" is not of the form <0xNN>");
        return Integer.parseInt(text.substring(3, 5), 16);
    }

    /** Max-heap of candidate merges ordered by score, then leftmost position. */
    private static final class Agenda {
        float[] score;
        int[] left, right, size, heap;
        int entries, n;

        Agenda(int cap) {
            cap = Math.max(4, cap * 2);
            score = new float[cap];
            left = new int[cap];
            right = new int[cap];
            size = new int[cap];
            heap = new int[cap];
        }

        boolean isEmpty() { return n == 0; }

        void push(float sc, int l, int r, int sz) {
            if (entries == score.length) {
                int c = entries * 2;
                score = Arrays.copyOf(score, c);
                left = Arrays.copyOf(left, c);
                right = Arrays.copyOf(right, c);
                size = Arrays.copyOf(size, c);
            }
            if (n == heap.length) heap = Arrays.copyOf(heap, n * 2);
            int e = entries++;
            score[e] = sc;
            left[e] = l;
            right[e] = r;
            size[e] = sz;
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!before(e, heap[p])) break;
                heap[i] = heap[p];
                i = p;
            }
            heap[i] = e;
        }

        int pop() {
            int top = heap[0];
            int last = heap[--n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && before(heap[c + 1], heap[c])) c++;
                if (!before(heap[c], last)) break;
                heap[i] = heap[c];
                i = c;
            }
            heap[i] = last;
            return top;
        }

        private boolean before(int a, int b) {
            return score[a] > score[b] || (score[a] == score[b] && left[a] < left[b]);
        }
    }
}
