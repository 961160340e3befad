package wanka.tokenizer;

import java.util.Arrays;

/** A growable list of ints without boxing. */
public final class IntList {
    private int[] a;
    private int n;

    /** Empty list with room for {@code capacity} ints. */
    public IntList(int capacity) { a = new int[Math.max(4, capacity)]; }

    /** Appends a value. */
    public void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    /** Appends all values. */
    public void addAll(int[] vs) {
        if (n + vs.length > a.length) a = Arrays.copyOf(a, Math.max(n * 2, n + vs.length));
        System.arraycopy(vs, 0, a, n, vs.length);
        n += vs.length;
    }

    /** Value at index {@code i}. */
    public int get(int i) { return a[i]; }

    /** Number of values. */
    public int size() { return n; }

    /** Removes all values. */
    public void clear() { n = 0; }

    /** A copy of the values. */
    public int[] toArray() { return Arrays.copyOf(a, n); }
}
