package wanka.model.io;

import wanka.model.ParamRole;

import java.util.Arrays;
import java.util.Objects;

/**
 * A weight the model expects: its Hugging Face name, shape and role.
 *
 * @param name  e.g. {@code transformer.h.0.self_attention.query.weight}
 * @param shape e.g. {@code [hidden, hidden]} (PyTorch Linear layout: [out, in]); copied
 * @param role  what the weight is for, which decides its initialisation and weight decay
 */
public record WeightSpec(String name, long[] shape, ParamRole role) {
    /** Copies the shape. */
    public WeightSpec {
        shape = shape.clone();
        Objects.requireNonNull(role, "role");
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
        return o instanceof WeightSpec w && name.equals(w.name) && Arrays.equals(shape, w.shape) && role == w.role;
    }

    @Override
    public int hashCode() {
        return (31 * name.hashCode() + Arrays.hashCode(shape)) * 31 + role.hashCode();
    }

    @Override
    public String toString() {
        return name + Shapes.format(shape) + " " + role;
    }
}
