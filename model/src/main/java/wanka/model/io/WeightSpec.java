package wanka.model.io;

import java.util.Arrays;

/**
 * A weight the model expects: its Hugging Face name and shape.
 *
 * @param name  e.g. {@code transformer.h.0.self_attention.query.weight}
 * @param shape e.g. {@code [hidden, hidden]} (PyTorch Linear layout: [out, in]); copied
 */
public record WeightSpec(String name, long[] shape) {
    /** Copies the shape. */
    public WeightSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements */
    public long numel() {
        return Shapes.numel(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightSpec w && name.equals(w.name) && Arrays.equals(shape, w.shape);
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
