package wanka.tensor;

import java.util.Arrays;

/** A tensor shape: row-major dimensions, outermost first. Immutable. */
public record Shape(int[] dims) {

    public Shape {
        dims = dims.clone();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) throw new IllegalArgumentException("negative dimension " + dims[i] + " at axis " + i + " in " + Arrays.toString(dims));
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Size of the last axis (1 for a scalar). */
    public int lastDim() {
        return dims.length == 0 ? 1 : dims[dims.length - 1];
    }

    /** Product of all axes but the last: the number of rows when the tensor is viewed as a matrix. */
    public int rows() {
        long n = numel() / Math.max(1, lastDim());
        return Math.toIntExact(n);
    }

    /** Row-major strides (in elements) of a contiguous tensor of this shape. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** This shape with its last axis replaced. */
    public Shape withLastDim(int last) {
        int[] d = dims.clone();
        d[d.length - 1] = last;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
