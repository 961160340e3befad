package wanka.tokenizer.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The BPE merge loop over counted words: pair counts, an index from pair to the words containing it, a max-heap
 * of (count, pair) with lazy invalidation, and incremental count updates after each merge. Ties in count go to the
 * pair of older symbols (smaller ids), so the result does not depend on thread count or word order.
 */
final class PairMerger {
    /** Decides whether two symbols may merge (piece length, whitespace and script rules). */
    interface Rule {
        boolean allowed(int left, int right);
    }

    /** One merge: {@code left + right -> result}. */
    record Merge(int left, int right, int result) { }

    private final int[][] words;
    private final long[] counts;
    private final Rule rule;
    private final java.util.function.IntBinaryOperator newSymbol;

    // pair -> slot (open addressing)
    private long[] keys;
    private int[] slotOf;
    private int used;
    // per slot
    private long[] pairCount = new long[1 << 16];
    private int[][] pairWords = new int[1 << 16][];
    private int[] pairWordsLen = new int[1 << 16];
    private int slots;
    // heap
    private long[] hCount = new long[1 << 16];
    private long[] hKey = new long[1 << 16];
    private int hn;
    private int[] lastVisit;

    /**
     * @param words     symbol ids of each distinct word
     * @param counts    frequency of each word
     * @param rule      which pairs may merge
     * @param newSymbol creates the symbol for a merge of two symbols and returns its id
     */
    PairMerger(int[][] words, long[] counts, Rule rule, java.util.function.IntBinaryOperator newSymbol) {
        this.words = words;
        this.counts = counts;
        this.rule = rule;
        this.newSymbol = newSymbol;
        keys = new long[1 << 20];
        slotOf = new int[1 << 20];
        Arrays.fill(slotOf, -1);
        lastVisit = new int[words.length];
        Arrays.fill(lastVisit, -1);
    }

    /** Runs merges until {@code done} says so or no pair is left; returns them in order. */
    List<Merge> run(java.util.function.BooleanSupplier done) {
        for (int w = 0; w < words.length; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) addPair(s[i], s[i + 1], counts[w], w);
        }
        for (int slot = 0; slot < slots; slot++) if (pairCount[slot] > 0) push(pairCount[slot], keyOfSlot[slot]);
        List<Merge> merges = new ArrayList<>();
        int[] touched = new int[64];
        while (!done.getAsBoolean() && hn > 0) {
            long c = hCount[0], key = hKey[0];
            pop();
            int slot = find(key);
            long now = pairCount[slot];
            if (now != c) {
                if (now > 0) push(now, key);
                continue;
            }
            int a = (int) (key >>> 32), b = (int) key;
            int z = newSymbol.applyAsInt(a, b);
            int step = merges.size();
            merges.add(new Merge(a, b, z));
            int[] list = pairWords[slot];
            int len = pairWordsLen[slot];
            pairWords[slot] = null;
            pairWordsLen[slot] = 0;
            int nt = 0;
            for (int k = 0; k < len; k++) {
                int w = list[k];
                if (lastVisit[w] == step) continue;
                lastVisit[w] = step;
                int[] s = words[w];
                int[] t = mergeWord(s, a, b, z);
                if (t == s) continue;
                long cw = counts[w];
                for (int i = 0; i + 1 < s.length; i++) subPair(s[i], s[i + 1], cw);
                for (int i = 0; i + 1 < t.length; i++) {
                    int ns = addPair(t[i], t[i + 1], cw, w);
                    if (ns >= 0 && (t[i] == z || t[i + 1] == z)) {
                        if (nt == touched.length) touched = Arrays.copyOf(touched, nt * 2);
                        touched[nt++] = ns;
                    }
                }
                words[w] = t;
            }
            for (int i = 0; i < nt; i++) {
                int sl = touched[i];
                if (pairCount[sl] > 0 && !queued(sl, step)) push(pairCount[sl], keyOfSlot[sl]);
            }
        }
        return merges;
    }

    private int[] queuedAt = new int[1 << 16];

    private boolean queued(int slot, int step) {
        if (queuedAt[slot] == step + 1) return true;
        queuedAt[slot] = step + 1;
        return false;
    }

    private static int[] mergeWord(int[] s, int a, int b, int z) {
        int n = s.length, hits = 0;
        for (int i = 0; i + 1 < n; i++) if (s[i] == a && s[i + 1] == b) { hits++; i++; }
        if (hits == 0) return s;
        int[] t = new int[n - hits];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && s[i] == a && s[i + 1] == b) { t[j++] = z; i++; } else t[j++] = s[i];
        }
        return t;
    }

    private long[] keyOfSlot = new long[1 << 16];

    /** Adds {@code c} to the pair's count and records the word; returns the slot, or -1 if the pair may not merge. */
    private int addPair(int a, int b, long c, int w) {
        long key = (long) a << 32 | (b & 0xFFFFFFFFL);
        int slot = find(key);
        if (slot < 0) {
            if (!rule.allowed(a, b)) return -1;
            slot = create(key);
        }
        pairCount[slot] += c;
        int[] l = pairWords[slot];
        int n = pairWordsLen[slot];
        if (l == null) pairWords[slot] = l = new int[2];
        if (n == 0 || l[n - 1] != w) {
            if (n == l.length) pairWords[slot] = l = Arrays.copyOf(l, n * 2);
            l[n] = w;
            pairWordsLen[slot] = n + 1;
        }
        return slot;
    }

    private void subPair(int a, int b, long c) {
        int slot = find((long) a << 32 | (b & 0xFFFFFFFFL));
        if (slot >= 0) pairCount[slot] -= c;
    }

    /** Slot of a key, -1 if unknown. */
    private int find(long key) {
        int mask = keys.length - 1;
        for (int h = hash(key) & mask; ; h = (h + 1) & mask) {
            int s = slotOf[h];
            if (s == -1) return -1;
            if (keys[h] == key) return s;
        }
    }

    private int create(long key) {
        if (used * 2 >= keys.length) rehash();
        int slot = slots++;
        if (slot == pairCount.length) {
            int n = slot * 2;
            pairCount = Arrays.copyOf(pairCount, n);
            pairWords = Arrays.copyOf(pairWords, n);
            pairWordsLen = Arrays.copyOf(pairWordsLen, n);
            keyOfSlot = Arrays.copyOf(keyOfSlot, n);
            queuedAt = Arrays.copyOf(queuedAt, n);
        }
        keyOfSlot[slot] = key;
        insert(key, slot);
        return slot;
    }

    private void insert(long key, int slot) {
        int mask = keys.length - 1;
        int h = hash(key) & mask;
        while (slotOf[h] != -1) h = (h + 1) & mask;
        keys[h] = key;
        slotOf[h] = slot;
        used++;
    }

    private void rehash() {
        long[] ok = keys;
        int[] os = slotOf;
        keys = new long[ok.length * 2];
        slotOf = new int[ok.length * 2];
        Arrays.fill(slotOf, -1);
        used = 0;
        for (int i = 0; i < ok.length; i++) if (os[i] != -1) insert(ok[i], os[i]);
    }

    private static int hash(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 29));
    }

    private boolean before(long c1, long k1, long c2, long k2) {
        return c1 > c2 || (c1 == c2 && k1 < k2);
    }

    private void push(long c, long k) {
        if (hn == hCount.length) {
            hCount = Arrays.copyOf(hCount, hn * 2);
            hKey = Arrays.copyOf(hKey, hn * 2);
        }
        int i = hn++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!before(c, k, hCount[p], hKey[p])) break;
            hCount[i] = hCount[p];
            hKey[i] = hKey[p];
            i = p;
        }
        hCount[i] = c;
        hKey[i] = k;
    }

    private void pop() {
        int n = --hn;
        long c = hCount[n], k = hKey[n];
        int i = 0;
        while (true) {
            int ch = 2 * i + 1;
            if (ch >= n) break;
            if (ch + 1 < n && before(hCount[ch + 1], hKey[ch + 1], hCount[ch], hKey[ch])) ch++;
            if (!before(hCount[ch], hKey[ch], c, k)) break;
            hCount[i] = hCount[ch];
            hKey[i] = hKey[ch];
            i = ch;
        }
        hCount[i] = c;
        hKey[i] = k;
    }
}
