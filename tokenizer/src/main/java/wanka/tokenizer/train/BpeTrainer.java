package wanka.tokenizer.train;

import wanka.tokenizer.SpecialTokens;
import wanka.tokenizer.TeleChat2Vocab;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.bytelevel.ByteLevelBpe;
import wanka.tokenizer.bytelevel.ByteUnicode;
import wanka.tokenizer.sp.NormalizerSpec;
import wanka.tokenizer.sp.Piece;
import wanka.tokenizer.sp.PieceType;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.sp.SentencePieceModel;
import wanka.tokenizer.sp.TrainerSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;

/**
 * BPE trainer for both families. Words (pre-tokens) are counted once on a thread pool; the merge loop
 * ({@link PairMerger}) then works on distinct words with incremental pair counts.
 */
public final class BpeTrainer {
    private BpeTrainer() { }

    /** Trains a tokenizer of the family the options name. */
    public static Tokenizer train(List<String> lines, TrainerOptions options) {
        return switch (options) {
            case TrainerOptions.SentencePiece o -> new SentencePieceBpe(trainSentencePiece(lines, o));
            case TrainerOptions.ByteLevel o -> trainByteLevel(lines, o);
        };
    }

    // ---------------------------------------------------------------- SentencePiece family

    /** Trains a SentencePiece BPE model (identity normalizer, dummy prefix, whitespace kept). */
    public static SentencePieceModel trainSentencePiece(List<String> lines, TrainerOptions.SentencePiece o) {
        List<String> userDefined = o.metaPieces().stream().filter(p -> p.type() == PieceType.USER_DEFINED).map(Piece::text)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        Map<String, long[]> words = count(lines, o.threads(), (line, sink) -> spWords(line, userDefined, o, sink));

        Map<Integer, long[]> chars = new HashMap<>();
        long total = 0;
        for (var e : words.entrySet()) {
            long c = e.getValue()[0];
            String w = e.getKey();
            for (int i = 0; i < w.length(); ) {
                int cp = w.codePointAt(i);
                chars.computeIfAbsent(cp, k -> new long[1])[0] += c;
                total += c;
                i += Character.charCount(cp);
            }
        }
        List<Map.Entry<Integer, long[]>> byFreq = new ArrayList<>(chars.entrySet());
        byFreq.sort((x, y) -> x.getValue()[0] != y.getValue()[0] ? Long.compare(y.getValue()[0], x.getValue()[0]) : Integer.compare(x.getKey(), y.getKey()));
        Symbols sym = new Symbols();
        long acc = 0;
        for (var e : byFreq) {
            if (acc >= o.characterCoverage() * total && sym.size() > 0) break;
            sym.add(new String(Character.toChars(e.getKey())));
            acc += e.getValue()[0];
        }
        int charCount = sym.size();

        List<int[]> wordSyms = new ArrayList<>();
        List<Long> wordCounts = new ArrayList<>();
        IntBuf buf = new IntBuf();
        for (var e : words.entrySet()) {
            String w = e.getKey();
            buf.n = 0;
            for (int i = 0; i <= w.length(); ) {
                int id = -1;
                if (i < w.length()) {
                    int cp = w.codePointAt(i);
                    id = sym.charId(cp);
                    i += Character.charCount(cp);
                } else i++;
                if (id >= 0) buf.add(id);
                else if (buf.n > 0) { // a rare character (or the end) cuts the word
                    if (buf.n > 1) { wordSyms.add(buf.copy()); wordCounts.add(e.getValue()[0]); }
                    buf.n = 0;
                }
            }
        }
        words = null;

        int fixed = o.metaPieces().size() + (o.byteFallback() ? 256 : 0);
        java.util.Set<String> metaTexts = new java.util.HashSet<>();
        o.metaPieces().forEach(p -> metaTexts.add(p.text()));
        int charPieces = 0;
        for (int i = 0; i < charCount; i++) if (!metaTexts.contains(sym.text(i))) charPieces++;
        int mergesWanted = o.vocabSize() - fixed - charPieces;
        if (mergesWanted < 0) throw new IllegalArgumentException("vocabSize " + o.vocabSize() + " is smaller than the "
                + fixed + " meta/byte pieces plus " + charPieces + " characters");
        List<String> merged = new ArrayList<>();
        PairMerger.Rule rule = (a, b) -> {
            if (sym.cpLen(a) + sym.cpLen(b) > o.maxPieceLength()) return false;
            if (sym.ws(b) > 0) return o.allowWhitespaceOnlyPieces() && sym.allWs(a) && sym.allWs(b);
            return sym.ws(a) <= 1;
        };
        int[][] ws = wordSyms.toArray(int[][]::new);
        long[] wc = wordCounts.stream().mapToLong(Long::longValue).toArray();
        new PairMerger(ws, wc, rule, (a, b) -> {
            String t = sym.text(a) + sym.text(b);
            int existing = sym.id(t);
            if (existing >= 0) return existing;
            if (!metaTexts.contains(t)) merged.add(t);
            return sym.add(t);
        }).run(() -> merged.size() >= mergesWanted);

        List<Piece> pieces = new ArrayList<>(o.metaPieces());
        if (o.byteFallback()) for (int b = 0; b < 256; b++) pieces.add(new Piece(Piece.byteText(b), 0, PieceType.BYTE));
        int k = 0;
        for (String t : merged) pieces.add(new Piece(t, -k++, PieceType.NORMAL));
        for (int i = 0; i < charCount; i++) if (!metaTexts.contains(sym.text(i))) pieces.add(new Piece(sym.text(i), -k++, PieceType.NORMAL));

        TrainerSpec spec = new TrainerSpec("wanka", TrainerSpec.BPE, pieces.size(), (float) o.characterCoverage(),
                o.maxPieceLength(), o.splitDigits(), o.byteFallback(), false, o.allowWhitespaceOnlyPieces(),
                indexOf(pieces, null, PieceType.UNKNOWN), indexOf(pieces, TeleChat2Vocab.START, PieceType.CONTROL),
                indexOf(pieces, TeleChat2Vocab.END, PieceType.CONTROL), indexOf(pieces, TeleChat2Vocab.PAD, PieceType.CONTROL),
                textOr(pieces, PieceType.UNKNOWN, null, "<unk>"), textOr(pieces, PieceType.CONTROL, TeleChat2Vocab.START, "<s>"),
                textOr(pieces, PieceType.CONTROL, TeleChat2Vocab.END, "</s>"), textOr(pieces, PieceType.CONTROL, TeleChat2Vocab.PAD, "<pad>"),
                TrainerSpec.DEFAULT_UNK_SURFACE, new byte[0]);
        return new SentencePieceModel(pieces, spec, NormalizerSpec.identity(true, false));
    }

    private static String textOr(List<Piece> pieces, PieceType type, String text, String def) {
        int i = indexOf(pieces, text, type);
        return i >= 0 ? pieces.get(i).text() : def;
    }

    private static int indexOf(List<Piece> pieces, String text, PieceType type) {
        for (int i = 0; i < pieces.size(); i++) {
            Piece p = pieces.get(i);
            if (p.type() == type && (text == null || p.text().equals(text))) return i;
        }
        return -1;
    }

    /** Splits one raw line into SentencePiece training words (normalized with '▁'), calling {@code sink} for each. */
    static void spWords(String line, List<String> userDefined, TrainerOptions.SentencePiece o, java.util.function.Consumer<String> sink) {
        if (line.isEmpty()) return;
        StringBuilder word = new StringBuilder();
        int prevClass = Integer.MIN_VALUE; // class of the previous non-'▁' char in the word
        boolean onlyWs = true;
        String s = "\u2581" + line.replace(' ', '\u2581');
        for (int i = 0; i < s.length(); ) {
            String u = null;
            for (String x : userDefined) if (s.startsWith(x, i)) { u = x; break; }
            if (u != null) { // user-defined symbols never merge: cut
                flush(word, sink);
                onlyWs = true;
                prevClass = Integer.MIN_VALUE;
                i += u.length();
                continue;
            }
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\u2581') {
                if (!onlyWs) { flush(word, sink); onlyWs = true; prevClass = Integer.MIN_VALUE; }
                word.append('\u2581');
                continue;
            }
            int cls = charClass(cp, o);
            boolean digit = o.splitDigits() && cp >= '0' && cp <= '9';
            if (digit || (!onlyWs && cls != prevClass) || (onlyWs && word.length() > 0 && prevClass == DIGIT)) {
                flush(word, sink);
            }
            if (digit && word.length() > 0) flush(word, sink);
            word.appendCodePoint(cp);
            onlyWs = false;
            prevClass = digit ? DIGIT : cls;
            if (digit) { flush(word, sink); onlyWs = true; prevClass = Integer.MIN_VALUE; }
        }
        flush(word, sink);
    }

    private static final int DIGIT = -2;

    private static void flush(StringBuilder w, java.util.function.Consumer<String> sink) {
        if (!w.isEmpty()) sink.accept(w.toString());
        w.setLength(0);
    }

    private static int charClass(int cp, TrainerOptions.SentencePiece o) {
        if (!o.splitByUnicodeScript()) return 0;
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        if (s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA) s = Character.UnicodeScript.HAN;
        return s.ordinal();
    }

    // ---------------------------------------------------------------- byte-level family

    /** Trains a byte-level BPE: 256 byte pieces, then merges, then the special tokens. */
    public static ByteLevelBpe trainByteLevel(List<String> lines, TrainerOptions.ByteLevel o) {
        Map<String, long[]> words = count(lines, o.threads(), (line, sink) -> {
            Matcher m = o.pattern().pattern().matcher(line);
            while (m.find()) {
                byte[] b = m.group().getBytes(StandardCharsets.UTF_8);
                if (b.length > 1) sink.accept(ByteUnicode.encode(b, 0, b.length));
            }
        });
        Symbols sym = new Symbols();
        for (int b = 0; b < 256; b++) sym.add(String.valueOf(ByteUnicode.toChar(b)));
        int[][] ws = new int[words.size()][];
        long[] wc = new long[words.size()];
        int i = 0;
        for (var e : words.entrySet()) {
            String w = e.getKey();
            int[] s = new int[w.length()];
            for (int k = 0; k < s.length; k++) s[k] = ByteUnicode.toByte(w.charAt(k));
            ws[i] = s;
            wc[i++] = e.getValue()[0];
        }
        int target = o.vocabSize() - o.specialTokens().size();
        List<ByteLevelBpe.Merge> merges = new ArrayList<>();
        new PairMerger(ws, wc, (a, b) -> sym.cpLen(a) + sym.cpLen(b) <= o.maxPieceLength(), (a, b) -> {
            String t = sym.text(a) + sym.text(b);
            merges.add(new ByteLevelBpe.Merge(sym.text(a), sym.text(b)));
            int existing = sym.id(t);
            return existing >= 0 ? existing : sym.add(t);
        }).run(() -> sym.size() >= target);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int k = 0; k < sym.size(); k++) vocab.put(sym.text(k), k);
        Map<String, Integer> special = new LinkedHashMap<>();
        for (String t : o.specialTokens()) {
            if (vocab.containsKey(t)) throw new IllegalArgumentException("special token " + t + " collides with a learned piece");
            vocab.put(t, vocab.size());
            special.put(t, vocab.get(t));
        }
        OptionalInt eos = o.specialTokens().isEmpty() ? OptionalInt.empty() : OptionalInt.of(vocab.get(o.specialTokens().getFirst()));
        return new ByteLevelBpe(vocab, merges, o.pattern(),
                new SpecialTokens(special, OptionalInt.empty(), eos, OptionalInt.empty(), OptionalInt.empty(), true));
    }

    // ---------------------------------------------------------------- shared

    /** Counts words produced by {@code split} over all lines on a pool of {@code threads}. */
    static Map<String, long[]> count(List<String> lines, int threads, BiConsumer<String, java.util.function.Consumer<String>> split) {
        int parts = Math.max(1, Math.min(lines.size(), threads * 8));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, long[]>>> futures = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                int from = (int) ((long) lines.size() * p / parts), to = (int) ((long) lines.size() * (p + 1) / parts);
                futures.add(pool.submit(() -> {
                    Map<String, long[]> m = new HashMap<>();
                    for (String line : lines.subList(from, to)) split.accept(line, w -> m.computeIfAbsent(w, k -> new long[1])[0]++);
                    return m;
                }));
            }
            Map<String, long[]> all = null;
            for (Future<Map<String, long[]>> f : futures) {
                Map<String, long[]> m = f.get();
                if (all == null) { all = m; continue; }
                Map<String, long[]> big = all.size() >= m.size() ? all : m, small = big == all ? m : all;
                small.forEach((w, c) -> big.computeIfAbsent(w, k -> new long[1])[0] += c[0]);
                all = big;
            }
            return all == null ? new HashMap<>() : all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("counting words failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Symbol table of the trainer: text, code-point length and leading-'▁' count per id. */
    private static final class Symbols {
        private final List<String> texts = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();
        private final Map<Integer, Integer> charIds = new HashMap<>();
        private int[] cpLen = new int[1024], ws = new int[1024];

        int add(String t) {
            int id = texts.size();
            texts.add(t);
            ids.put(t, id);
            if (id == cpLen.length) {
                cpLen = java.util.Arrays.copyOf(cpLen, id * 2);
                ws = java.util.Arrays.copyOf(ws, id * 2);
            }
            cpLen[id] = t.codePointCount(0, t.length());
            int w = 0;
            while (w < t.length() && t.charAt(w) == '\u2581') w++;
            ws[id] = w;
            if (cpLen[id] == 1) charIds.put(t.codePointAt(0), id);
            return id;
        }

        int size() { return texts.size(); }
        String text(int id) { return texts.get(id); }
        int id(String t) { Integer i = ids.get(t); return i == null ? -1 : i; }
        int charId(int cp) { Integer i = charIds.get(cp); return i == null ? -1 : i; }
        int cpLen(int id) { return cpLen[id]; }
        int ws(int id) { return ws[id]; }
        boolean allWs(int id) { return ws[id] == cpLen[id]; }
    }

    private static final class IntBuf {
        int[] a = new int[64];
        int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int[] copy() { return java.util.Arrays.copyOf(a, n); }
    }
}
