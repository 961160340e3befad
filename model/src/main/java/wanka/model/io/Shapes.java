package wanka.model.io;

import java.util.Arrays;

/** Small helpers for shapes given as {@code long[]}. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * @return the product of the dimensions (1 for an empty shape)
     * @throws ArithmeticException       if the product overflows a long
     * @throws IllegalArgumentException  if a dimension is negative
     */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** @return the shape as written in messages, e.g. {@code [4096, 128]} */
    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
