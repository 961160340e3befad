package wanka.model.layers;

/**
 * Keys (after RoPE) and values of one layer for one sequence, in the same interleaved row layout the
 * {@code key_value} projection produces: row t = [k_0, v_0, k_1, v_1, ...], each headDim wide.
 */
public final class LayerCache implements wanka.tensor.ops.KvCacheView {
    private final float[] kv;
    private final int rowWidth;
    private final int capacity;
    private int length;

    public LayerCache(int capacity, int rowWidth) {
        this.capacity = capacity;
        this.rowWidth = rowWidth;
        this.kv = new float[Math.multiplyExact(capacity, rowWidth)];
    }

    @Override
    public float[] data() {
        return kv;
    }

    @Override
    public int rowWidth() {
        return rowWidth;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Number of cached positions. */
    @Override
    public int length() {
        return length;
    }

    /** Appends {@code rows} rows from {@code src} (row-major, rowWidth each). */
    @Override
    public void append(float[] src, int srcOff, int rows) {
        if (length + rows > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + rows + " > capacity " + capacity + " positions");
        }
        System.arraycopy(src, srcOff, kv, length * rowWidth, rows * rowWidth);
        length += rows;
    }

    /** Forgets positions from {@code newLength} on. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("truncate to " + newLength + " of " + length);
        length = newLength;
    }

    /** An independent cache holding the same positions (room for {@code capacity} in all), e.g. one per sample after a shared prompt. */
    public LayerCache copy(int capacity) {
        if (capacity < length) throw new IllegalArgumentException("capacity " + capacity + " < " + length + " cached positions");
        LayerCache c = new LayerCache(capacity, rowWidth);
        System.arraycopy(kv, 0, c.kv, 0, length * rowWidth);
        c.length = length;
        return c;
    }
}
