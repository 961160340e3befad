package wanka.curate.clean.fasttext;

import wanka.tokenizer.IntList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The vocabulary of a fastText model and its way of turning text into input rows: each whitespace-separated
 * token becomes its word row (when in the vocabulary) plus the rows of its character n-grams ({@code minn..maxn}
 * code points of {@code <token>}, FNV-1a-hashed into {@code bucket} rows), then word n-gram rows; a line ends
 * with the end-of-sentence token {@code </s>}. Everything works on the UTF-8 bytes, as fastText does.
 *
 * <p>File layout: {@code int32 size, nwords, nlabels; int64 ntokens, pruneidx_size}; {@code size} entries of a
 * NUL-terminated word, {@code int64 count}, {@code int8 type} (0 word, 1 label); then {@code pruneidx_size} pairs
 * {@code int32 bucket → int32 row} — a quantized model keeps only some n-gram buckets ({@code pruneidx_size} −1:
 * nothing pruned, 0: no n-grams kept).
 */
final class FastTextDictionary {
    static final byte[] EOS = "</s>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL_PREFIX = "__label__".getBytes(StandardCharsets.US_ASCII);

    private final FastTextArgs args;
    private final byte[][] words;
    private final long[] counts;
    private final int nwords, nlabels;
    private final long pruneSize;
    private final int[] pruned; // bucket → kept row − nwords, or −1; null when nothing is pruned
    private final long[] kept;  // bit per bucket: kept by pruning (a quantized model keeps ~2 %; this fits in L2 cache)
    private final long bucketInverse; // for the remainder by bucket without a division (Lemire's fastmod)
    private final int[] table;  // open addressing: word id + 1, 0 empty
    private final int[][] subwords;

    private FastTextDictionary(FastTextArgs args, byte[][] words, long[] counts, int nwords, int nlabels, long pruneSize, int[] pruned) {
        this.args = args;
        this.words = words;
        this.counts = counts;
        this.nwords = nwords;
        this.nlabels = nlabels;
        this.pruneSize = pruneSize;
        this.pruned = pruned;
        this.kept = pruned == null ? null : new long[(pruned.length + 63) >>> 6];
        if (pruned != null) for (int b = 0; b < pruned.length; b++) if (pruned[b] >= 0) kept[b >>> 6] |= 1L << b;
        this.bucketInverse = args.bucket() > 0 ? Long.divideUnsigned(-1L, args.bucket()) + 1 : 0;
        this.table = new int[Integer.highestOneBit(Math.max(words.length, 1) * 2) * 2];
        for (int id = 0; id < words.length; id++) {
            int slot = slot(words[id], 0, words[id].length, hash(words[id], 0, words[id].length));
            if (table[slot] == 0) table[slot] = id + 1;
        }
        this.subwords = new int[nwords][];
        IntList scratch = new IntList(256);
        byte[] bounded = new byte[64];
        for (int id = 0; id < nwords; id++) {
            scratch.clear();
            scratch.add(id);
            if (!Arrays.equals(words[id], EOS)) {
                bounded = bounded(words[id], 0, words[id].length, bounded);
                charNgrams(bounded, words[id].length + 2, scratch);
            }
            subwords[id] = scratch.toArray();
        }
    }

    static FastTextDictionary read(ModelReader in, FastTextArgs args) throws IOException {
        int size = in.int32("dictionary size"), nwords = in.int32("dictionary word count"), nlabels = in.int32("dictionary label count");
        in.int64("dictionary token count");
        long pruneSize = in.int64("dictionary pruned-bucket count");
        if (size < 0 || nwords < 0 || nlabels < 0 || nwords + nlabels != size || size > in.remaining())
            throw in.corrupt("dictionary sizes " + size + " = " + nwords + " words + " + nlabels + " labels do not add up");
        byte[][] words = new byte[size][];
        long[] counts = new long[size];
        for (int i = 0; i < size; i++) {
            words[i] = in.cString("dictionary entry " + i);
            counts[i] = in.int64("dictionary entry " + i + " count");
            byte type = in.int8("dictionary entry " + i + " type");
            if (type != (i < nwords ? 0 : 1))
                throw in.corrupt("dictionary entry " + i + " ('" + new String(words[i], StandardCharsets.UTF_8) + "') has type " + type
                        + "; words must come before labels");
        }
        int[] pruned = null;
        if (pruneSize >= 0) {
            if (pruneSize > in.remaining() / 8) throw in.corrupt("pruned-bucket count " + pruneSize + " is larger than the file");
            pruned = new int[args.bucket()];
            Arrays.fill(pruned, -1);
            for (long i = 0; i < pruneSize; i++) {
                int bucket = in.int32("pruned bucket"), row = in.int32("pruned bucket row");
                if (bucket < 0 || bucket >= args.bucket()) throw in.corrupt("pruned bucket " + bucket + " is outside 0.." + (args.bucket() - 1));
                pruned[bucket] = row;
            }
        }
        return new FastTextDictionary(args, words, counts, nwords, nlabels, pruneSize, pruned);
    }

    int nwords() {
        return nwords;
    }

    int nlabels() {
        return nlabels;
    }

    /** The label of output {@code i} (without the {@code __label__} prefix when it has one). */
    String label(int i) {
        byte[] w = words[nwords + i];
        int from = startsWith(w, w.length, 0, LABEL_PREFIX) ? LABEL_PREFIX.length : 0;
        return new String(w, from, w.length - from, StandardCharsets.UTF_8);
    }

    /** Training counts of the labels, in label order (the hierarchical-softmax tree is built from them). */
    long[] labelCounts() {
        return Arrays.copyOfRange(counts, nwords, words.length);
    }

    /** FNV-1a over bytes taken as signed, as fastText's {@code Dictionary::hash} does. */
    static int hash(byte[] b, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) h = (h ^ b[i]) * 16777619;
        return h;
    }

    private int slot(byte[] b, int from, int to, int h) {
        int mask = table.length - 1, s = h & mask;
        while (table[s] != 0 && !Arrays.equals(words[table[s] - 1], 0, words[table[s] - 1].length, b, from, to)) s = (s + 1) & mask;
        return s;
    }

    /** The id of the token {@code b[from, to)}, or −1. */
    private int find(byte[] b, int from, int to, int h) {
        return table[slot(b, from, to, h)] - 1;
    }

    /** Adds the row of n-gram bucket {@code h} (after pruning) to {@code out}. */
    private void pushHash(IntList out, int h) {
        if (pruneSize == 0 || h < 0) return;
        if (pruned != null) {
            if ((kept[h >>> 6] & 1L << h) == 0) return;
            h = pruned[h];
        }
        out.add(nwords + h);
    }

    /** {@code h} as an unsigned 32-bit number modulo {@code bucket}, by multiplication (exact for every 32-bit h and bucket). */
    private int bucketOf(int h, int bucket) {
        return remainder(h, bucket, bucketInverse);
    }

    /** {@code Integer.remainderUnsigned(h, d)} given {@code inverse = 2^64 / d} rounded up ({@code divideUnsigned(−1, d) + 1}). */
    static int remainder(int h, int d, long inverse) {
        long low = inverse * (h & 0xFFFFFFFFL);
        return (int) Math.unsignedMultiplyHigh(low, d);
    }

    /** {@code '<' + b[from, to) + '>'} into {@code into} (grown when needed). */
    private static byte[] bounded(byte[] b, int from, int to, byte[] into) {
        int n = to - from + 2;
        if (into.length < n) into = new byte[Math.max(n, into.length * 2)];
        into[0] = '<';
        System.arraycopy(b, from, into, 1, to - from);
        into[n - 1] = '>';
        return into;
    }

    /** The character n-gram rows of a bounded word {@code w[0, len)} (fastText's {@code computeSubwords}). */
    private void charNgrams(byte[] w, int len, IntList out) {
        int maxn = args.maxn(), minn = args.minn(), bucket = args.bucket();
        if (maxn <= 0) return;
        for (int i = 0; i < len; i++) {
            if ((w[i] & 0xC0) == 0x80) continue;
            int h = 0x811C9DC5;
            for (int j = i, n = 1; j < len && n <= maxn; n++) {
                h = (h ^ w[j++]) * 16777619;
                while (j < len && (w[j] & 0xC0) == 0x80) h = (h ^ w[j++]) * 16777619;
                if (n >= minn && !(n == 1 && (i == 0 || j == len))) pushHash(out, bucketOf(h, bucket));
            }
        }
    }

    /**
     * The input rows of one line of text (fastText's {@code getLine} for a supervised model): tokens split at
     * ASCII whitespace and NUL (line breaks count as spaces), then the end-of-sentence token. Label tokens
     * ({@code __label__…}) are skipped.
     */
    void lineIds(byte[] text, int length, IntList out, IntList wordHashes) {
        out.clear();
        wordHashes.clear();
        byte[] scratch = new byte[64];
        int i = 0;
        while (true) {
            while (i < length && separator(text[i])) i++;
            int from = i;
            while (i < length && !separator(text[i])) i++;
            boolean last = from == i;
            byte[] tok = last ? EOS : text;
            int s = last ? 0 : from, e = last ? EOS.length : i;
            int h = hash(tok, s, e);
            int id = find(tok, s, e, h);
            if (id >= nwords) {
                // a label token: not an input
            } else if (id >= 0) {
                out.addAll(subwords[id]);
                wordHashes.add(h);
            } else if (!startsWith(tok, e, s, LABEL_PREFIX)) {
                if (!last) {
                    scratch = bounded(tok, s, e, scratch);
                    charNgrams(scratch, e - s + 2, out);
                }
                wordHashes.add(h);
            }
            if (last) break;
        }
        wordNgrams(wordHashes, out);
    }

    private void wordNgrams(IntList hashes, IntList out) {
        int n = args.wordNgrams();
        for (int i = 0; i < hashes.size(); i++) {
            long h = hashes.get(i); // int32 widened with its sign, as in fastText
            for (int j = i + 1; j < hashes.size() && j < i + n; j++) {
                h = h * 116049371L + hashes.get(j);
                pushHash(out, (int) Long.remainderUnsigned(h, args.bucket()));
            }
        }
    }

    private static boolean separator(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0B || c == '\f' || c == 0;
    }

    private static boolean startsWith(byte[] b, int to, int from, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
    }
}
