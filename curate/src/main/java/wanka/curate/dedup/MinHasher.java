package wanka.curate.dedup;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MinHash signatures over n-gram shingles of normalised text, and their LSH band keys.
 *
 * <p>Two kinds of shingle ({@link Shingle}):
 * <ul>
 * <li>{@code WORDS} (datatrove's): the text is split at spaces, except that characters of scripts written without
 *     spaces (Han, kana, Bopomofo, Thai, Lao, Khmer, Myanmar; {@link #isCharToken}) are tokens of their own, so
 *     Chinese text is shingled by characters and mixed text keeps its Latin words whole. Each token is hashed to 64
 *     bits without building a String; a shingle is {@code ngram} consecutive tokens (a text with fewer tokens is one
 *     shingle), hashed from its token hashes.</li>
 * <li>{@code CHARS} (NeMo Curator's fuzzy dedup): a shingle is a run of consecutive characters (code points) of the
 *     normalised text, spaces included, except that a space next to a character of a script written without spaces
 *     is dropped (so where a line breaks in Chinese text does not matter). One shingle starts at every character; its
 *     length is chosen by that character's script: {@code cjkNgram} for scripts without spaces, {@code ngram} for
 *     the others (a text shorter than every shingle is one shingle). A few changed characters then touch only the
 *     few shingles around them, where each changed character would break every word shingle that holds its word.</li>
 * </ul>
 * Each shingle hash is mixed to a 32-bit key {@code x}; hash function {@code i} is Dietzfelbinger's multiply-add-shift
 * {@code h_i(x) = ((a_i·x + b_i) mod 2^64) >>> 32}, strongly universal on 32-bit keys, with {@code a_i, b_i} drawn
 * from a generator seeded by {@code seed}; the signature holds the minimum of each over the shingles (32-bit values,
 * as datasketch keeps). The loop over the hash functions has no carries to propagate, so it runs as SIMD on CPUs with
 * vector 64-bit multiplies, several times faster than a modular permutation. A pair with
 * Jaccard similarity {@code s} shares at least one of {@code bands} band keys ({@code rows} values each) with
 * probability {@code 1 − (1 − s^rows)^bands}.
 *
 * <p>Instances keep scratch buffers: use one per thread.
 */
public final class MinHasher {
    /** What a shingle is made of. */
    public enum Shingle { WORDS, CHARS }

    /**
     * MinHash parameters: the shingle kind, its length ({@code ngram}; with {@code CHARS}, {@code cjkNgram} for
     * characters of scripts written without spaces; with {@code WORDS} both are the same), {@code bands} ×
     * {@code rows} hashes, and the permutations' seed. {@link #DEFAULTS} are datatrove's, {@link #CHARS_DEFAULTS}
     * the recommendation measured in BENCHMARKS.md.
     */
    public record Params(Shingle shingle, int ngram, int cjkNgram, int bands, int rows, long seed) {
        /** datatrove's defaults: 5-word shingles, 14 bands × 8 rows, seed 1. */
        public static final Params DEFAULTS = words(5, 14, 8, 1);
        /**
         * The recommendation ({@code DedupBench} in BENCHMARKS.md): character 6-grams (2-grams from a character of a
         * script without spaces), 30 bands × 6 rows (threshold ≈ 0.57), seed 1.
         */
        public static final Params CHARS_DEFAULTS = chars(6, 2, 30, 6, 1);

        public Params {
            if (shingle == null) throw new IllegalArgumentException("'shingle' must be chars or words");
            if (ngram < 1) throw new IllegalArgumentException("'ngram' must be >= 1, got " + ngram);
            if (cjkNgram < 1) throw new IllegalArgumentException("'ngram_cjk' must be >= 1, got " + cjkNgram);
            if (shingle == Shingle.WORDS && cjkNgram != ngram)
                throw new IllegalArgumentException("'ngram_cjk' applies to chars shingles only; word shingles use ngram for every script");
            if (bands < 1) throw new IllegalArgumentException("'bands' must be >= 1, got " + bands);
            if (rows < 1) throw new IllegalArgumentException("'rows' must be >= 1, got " + rows);
        }

        /** Shingles of {@code ngram} words (or characters of scripts without spaces). */
        public static Params words(int ngram, int bands, int rows, long seed) {
            return new Params(Shingle.WORDS, ngram, ngram, bands, rows, seed);
        }

        /** Shingles of {@code ngram} characters ({@code cjkNgram} from a character of a script without spaces). */
        public static Params chars(int ngram, int cjkNgram, int bands, int rows, long seed) {
            return new Params(Shingle.CHARS, ngram, cjkNgram, bands, rows, seed);
        }

        public int hashes() {
            return bands * rows;
        }

        /** The similarity at which a pair becomes a candidate with probability about 1/2: {@code (1/bands)^(1/rows)}. */
        public double threshold() {
            return Math.pow(1.0 / bands, 1.0 / rows);
        }
    }

    private final Params params;
    private final long[] a, b;
    private long[] tokens = new long[1024];
    private int[] chars = new int[4096];

    public MinHasher(Params params) {
        this.params = params;
        int k = params.hashes();
        a = new long[k];
        b = new long[k];
        SplittableRandom rnd = new SplittableRandom(params.seed());
        for (int i = 0; i < k; i++) {
            a[i] = rnd.nextLong();
            b[i] = rnd.nextLong();
        }
    }

    public Params params() {
        return params;
    }

    /**
     * The signature of already normalised text ({@link TextNorm}), or {@code null} when it has no tokens.
     */
    public long[] signature(String text) {
        long[] sig = new long[params.hashes()];
        Arrays.fill(sig, Long.MAX_VALUE);
        boolean any = params.shingle() == Shingle.CHARS ? charShingles(text, sig) : wordShingles(text, sig);
        return any ? sig : null;
    }

    private boolean wordShingles(String text, long[] sig) {
        int n = tokenize(text);
        if (n == 0) return false;
        int g = Math.min(params.ngram(), n);
        for (int s = 0; s + g <= n; s++) {
            long h = 0x6A09E667F3BCC908L;
            for (int j = s; j < s + g; j++) h = Long.rotateLeft((h ^ tokens[j]) * 0x9E3779B97F4A7C15L, 27);
            update(sig, h);
        }
        return true;
    }

    private boolean charShingles(String text, long[] sig) {
        int n = codePoints(text);
        if (n == 0) return false;
        int[] c = chars;
        boolean any = false;
        for (int s = 0; s < n; s++) {
            int g = isCharToken(c[s]) ? params.cjkNgram() : params.ngram();
            if (s + g > n) continue;
            update(sig, charHash(c, s, s + g));
            any = true;
        }
        if (!any) update(sig, charHash(c, 0, n));
        return true;
    }

    private static long charHash(int[] c, int from, int to) {
        long h = 0x3C6EF372FE94F82BL + to - from;
        for (int j = from; j < to; j++) h = Long.rotateLeft((h ^ c[j]) * 0x9E3779B97F4A7C15L, 27);
        return h;
    }

    /** Mixes the shingle hash {@code h} to a 32-bit key and lowers each {@code sig[i]} to {@code h_i(key)} when that is smaller. */
    private void update(long[] sig, long h) {
        long x = Hashes.mix64(h) >>> 32;
        long[] a = this.a, b = this.b;
        for (int i = 0; i < sig.length; i++) sig[i] = Math.min(sig[i], hash(a[i], x, b[i]));
    }

    /** {@code ((a·x + b) mod 2^64) >>> 32}: hash function {@code (a, b)} of the 32-bit key {@code x}. */
    static long hash(long a, long x, long b) {
        return (a * x + b) >>> 32;
    }

    /** The 128-bit key of band {@code band}: a hash of its {@code rows} signature values. Writes hi, lo to {@code out}. */
    public void bandKey(long[] sig, int band, long[] out) {
        long h1 = 0x452821E638D01377L + band, h2 = 0xBE5466CF34E90C6CL - band;
        for (int i = band * params.rows(), end = i + params.rows(); i < end; i++) {
            h1 = Hashes.mix64(h1 ^ sig[i]);
            h2 = Hashes.mix64(h2 + sig[i] * 0x9E3779B97F4A7C15L);
        }
        out[0] = h1;
        out[1] = h2;
    }

    /** The estimated Jaccard similarity of two signatures: the fraction of equal values. */
    public static double similarity(long[] x, long[] y) {
        int same = 0;
        for (int i = 0; i < x.length; i++) if (x[i] == y[i]) same++;
        return (double) same / x.length;
    }

    /** Fills {@link #tokens} with the token hashes of {@code t}; returns their count. */
    private int tokenize(String t) {
        int n = 0;
        long h = 0;
        boolean inWord = false;
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            boolean space = cp == ' ' || Character.isWhitespace(cp);
            boolean single = !space && isCharToken(cp);
            if ((space || single) && inWord) {
                n = push(n, Hashes.mix64(h));
                inWord = false;
            }
            if (single) {
                n = push(n, Hashes.mix64(cp + 0x3C6EF372FE94F82BL));
            } else if (!space) {
                if (!inWord) {
                    h = 0xCBF29CE484222325L;
                    inWord = true;
                }
                h = (h ^ cp) * 0x100000001B3L;
            }
        }
        if (inWord) n = push(n, Hashes.mix64(h));
        return n;
    }

    /**
     * Fills {@link #chars} with the code points of {@code t}, runs of white space as one space, dropping spaces at
     * either end and next to a character of a script without spaces; returns their count.
     */
    private int codePoints(String t) {
        int n = 0;
        boolean space = false;
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ' || Character.isWhitespace(cp)) {
                space = n > 0;
                continue;
            }
            if (space && !isCharToken(cp) && !isCharToken(chars[n - 1])) n = pushChar(n, ' ');
            space = false;
            n = pushChar(n, cp);
        }
        return n;
    }

    private int pushChar(int n, int cp) {
        if (n == chars.length) chars = Arrays.copyOf(chars, 2 * n);
        chars[n] = cp;
        return n + 1;
    }

    private int push(int n, long v) {
        if (n == tokens.length) tokens = Arrays.copyOf(tokens, 2 * n);
        tokens[n] = v;
        return n + 1;
    }

    /** Whether {@code cp} belongs to a script written without spaces between words. */
    static boolean isCharToken(int cp) {
        if (cp < 0x0E00) return false;
        if (cp < 0x0F00) return true; // Thai, Lao
        if (cp < 0x2E80) return (cp >= 0x1000 && cp < 0x10A0) || (cp >= 0x1780 && cp < 0x1800); // Myanmar, Khmer
        return switch (Character.UnicodeScript.of(cp)) {
            case HAN, HIRAGANA, KATAKANA, BOPOMOFO -> true;
            default -> false;
        };
    }
}
