package wanka.tensor.cpu;

/** Argument checks shared by the fused CPU kernels; each message names the offending argument. */
final class KernelChecks {
    private KernelChecks() {
    }

    /** Fails unless {@code value >= min}. */
    static void atLeast(String name, long value, long min) {
        if (value < min) throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }

    /**
     * Fails unless {@code rows} rows of {@code width} elements, {@code stride} apart, starting at
     * {@code off}, lie inside {@code a}.
     */
    static void rows(String name, float[] a, int off, int rows, int width, int stride) {
        if (a == null) throw new NullPointerException(name + " is null");
        if (stride < width) throw new IllegalArgumentException(name + " row stride " + stride + " < width " + width);
        long end = rows == 0 ? off : off + (long) (rows - 1) * stride + width;
        if (off < 0 || end > a.length) {
            throw new IndexOutOfBoundsException(name + ": " + rows + " rows x " + width + " (stride " + stride
                    + ") at offset " + off + " do not fit in length " + a.length);
        }
    }

    /** Fails unless {@code [off, off+len)} lies inside {@code a}. */
    static void range(String name, float[] a, int off, int len) {
        rows(name, a, off, 1, len, len);
    }

    /** Fails unless {@code [off, off+len)} lies inside an array of length {@code length}. */
    static void range(String name, int length, int off, int len) {
        if (off < 0 || len < 0 || (long) off + len > length) {
            throw new IndexOutOfBoundsException(name + ": range [" + off + ", " + ((long) off + len)
                    + ") outside length " + length);
        }
    }
}
