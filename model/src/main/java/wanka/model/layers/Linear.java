package wanka.model.layers;

import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

/** y = x·Wᵀ (+ b), with W stored [out, in] as in PyTorch / HF checkpoints. */
public record Linear(Tensor weight, Tensor bias) implements Projection {

    @Override
    public Linear base() {
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }

    public int in() {
        return weight.shape().dim(1);
    }

    public int out() {
        return weight.shape().dim(0);
    }
}
