package wanka.train.mix;

import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;

import java.util.List;

/** The differentiable scalar Σ c_i·s_i of scalar tensors s_i with constant coefficients c_i. */
final class WeightedSum {
    private WeightedSum() {
    }

    static Tensor of(List<Tensor> scalars, double[] coefficients) {
        if (scalars.isEmpty() || scalars.size() != coefficients.length) throw new IllegalArgumentException(scalars.size() + " scalars, " + coefficients.length + " coefficients");
        Tensor first = scalars.getFirst();
        Tensor y = Tensor.zeros(first.device(), Shape.of());
        boolean record = false;
        double sum = 0;
        for (int i = 0; i < coefficients.length; i++) {
            Tensor s = scalars.get(i);
            if (s.numel() != 1) throw new IllegalArgumentException("not a scalar: " + s.shape());
            if (s.hasData()) sum += coefficients[i] * s.item();
            record |= s.requiresGrad();
        }
        if (y.hasData()) y.data()[y.offset()] = (float) sum;
        if (record && first.device().gradEnabled()) y.setGradFn(new Node(scalars, coefficients.clone()));
        return y;
    }

    private static final class Node extends GradNode {
        private final List<Tensor> scalars;
        private final double[] coefficients;

        Node(List<Tensor> scalars, double[] coefficients) {
            super("weighted_sum", scalars.toArray(Tensor[]::new));
            this.scalars = List.copyOf(scalars);
            this.coefficients = coefficients;
        }

        @Override
        public void backward(Tensor g) {
            float upstream = g.hasData() ? g.item() : 0f;
            for (int i = 0; i < scalars.size(); i++) {
                Tensor s = scalars.get(i);
                if (!wants(s)) continue;
                Tensor gi = Tensor.zeros(s.device(), s.shape());
                if (gi.hasData()) gi.data()[gi.offset()] = (float) (coefficients[i] * upstream);
                accumulate(s, gi);
            }
        }
    }
}
