package wanka.model.io;

import java.util.Arrays;

/**
 * A named float array with its shape, the unit the writers store.
 *
 * @param name  the tensor name (e.g. {@code transformer.h.0.mlp.up_proj.weight})
 * @param shape the dimensions; their product must equal {@code data.length}
 * @param data  the values in row-major order (not copied: the caller must not change them while writing)
 */
public record NamedArray(String name, long[] shape, float[] data) {
    /** Checks that the shape matches the data length and copies the shape. */
    public NamedArray {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        shape = shape.clone();
        long numel = Shapes.numel(shape);
        if (numel != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Shapes.format(shape) + " has "
                    + numel + " elements but the data has " + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedArray a && name.equals(a.name) && Arrays.equals(shape, a.shape)
                && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Shapes.format(shape);
    }
}
