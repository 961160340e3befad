package wanka.curate.clean;

import java.util.Arrays;

/**
 * Occurrence counts keyed by 64-bit hashes (open addressing, linear probing), with the character length of the first
 * occurrence of each key; reused across documents by {@link #clear()}. Used for n-gram statistics, where two
 * different n-grams collide with probability about 2^-64 per pair.
 */
final class HashCounts {
    private long[] keys = new long[1024];
    private int[] counts = new int[1024];
    private int[] lengths = new int[1024];
    private int[] firsts = new int[1024];
    private int size;

    void clear() {
        if (size == 0) return;
        if (keys.length > 8192 && size < keys.length / 16) {
            keys = new long[1024];
            counts = new int[1024];
            lengths = new int[1024];
            firsts = new int[1024];
        } else {
            Arrays.fill(counts, 0);
        }
        size = 0;
    }

    /** Adds one occurrence of {@code key} (whose text is {@code length} chars long) and returns its new count. */
    int add(long key, int length) {
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        int i = (int) (mix(key) & mask);
        while (counts[i] != 0) {
            if (keys[i] == key) return ++counts[i];
            i = (i + 1) & mask;
        }
        keys[i] = key;
        counts[i] = 1;
        lengths[i] = length;
        firsts[i] = size++;
        return 1;
    }

    /**
     * {@code count × length} of the most frequent key, ties going to the key added first (as Python's
     * {@code Counter.most_common(1)}); 0 when empty.
     */
    long topCountTimesLength() {
        int best = 0, bestFirst = Integer.MAX_VALUE;
        long bestValue = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > best || (counts[i] == best && best > 0 && firsts[i] < bestFirst)) {
                best = counts[i];
                bestFirst = firsts[i];
                bestValue = (long) counts[i] * lengths[i];
            }
        }
        return bestValue;
    }

    private void grow() {
        long[] ok = keys;
        int[] oc = counts, ol = lengths, of = firsts;
        keys = new long[ok.length * 2];
        counts = new int[ok.length * 2];
        lengths = new int[ok.length * 2];
        firsts = new int[ok.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (oc[j] == 0) continue;
            int i = (int) (mix(ok[j]) & mask);
            while (counts[i] != 0) i = (i + 1) & mask;
            keys[i] = ok[j];
            counts[i] = oc[j];
            lengths[i] = ol[j];
            firsts[i] = of[j];
        }
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
