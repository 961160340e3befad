package wanka.model.io;

import java.util.Arrays;

/**
 * One tensor entry of a safetensors header.
 *
 * @param name  the tensor name
 * @param dtype the element type
 * @param shape the dimensions (empty for a scalar); a copy is kept and returned
 * @param begin first byte of the data, relative to the start of the data buffer (after the header)
 * @param end   one past the last byte, relative to the start of the data buffer
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
    /** Copies {@code shape} so the record stays immutable. */
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements (1 for a scalar) */
    public long numel() {
        return Shapes.numel(shape);
    }

    /** @return the number of data bytes, {@code end - begin} */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
