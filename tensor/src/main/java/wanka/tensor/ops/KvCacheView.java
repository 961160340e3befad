package wanka.tensor.ops;

/** What cached attention needs from a KV cache: an append-only array of interleaved key_value rows. */
public interface KvCacheView {
    /** The rows, {@link #rowWidth()} floats each; the first {@link #length()} are valid. */
    float[] data();

    int rowWidth();

    int length();

    int capacity();

    /** Appends {@code rows} rows from {@code src} at {@code off}. */
    void append(float[] src, int off, int rows);
}
