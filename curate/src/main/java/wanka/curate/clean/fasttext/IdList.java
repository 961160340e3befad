package wanka.curate.clean.fasttext;

import java.util.Arrays;

/** A growable list of {@code int}s (row ids, word hashes) without boxing. */
final class IdList {
    private int[] a = new int[256];
    private int n;

    void clear() {
        n = 0;
    }

    int size() {
        return n;
    }

    int get(int i) {
        return a[i];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    void addAll(int[] v) {
        if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(n + v.length, n * 2));
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
