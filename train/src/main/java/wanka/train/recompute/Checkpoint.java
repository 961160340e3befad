package wanka.train.recompute;

import wanka.tensor.AllocationScope;
import wanka.tensor.Device;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.Backward;
import wanka.tensor.autograd.GradNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Activation checkpointing of one function (PyTorch's {@code torch.utils.checkpoint}): forward runs
 * {@code f(inputs)} without recording a graph and frees its temporaries, keeping only the inputs and the output;
 * backward runs {@code f} again on copies of the inputs with the graph recorded and back-propagates through it.
 * Parameters {@code f} reads get their gradients during that second pass; they are named so the checkpoint
 * records a node when only they need gradients. The recomputation repeats the same operations in the same
 * order, so losses and gradients are bitwise those of the plain forward.
 */
public final class Checkpoint {
    private Checkpoint() {
    }

    /** {@code f(inputs)} with its intermediates recomputed in backward. */
    public static Tensor of(Function<Tensor[], Tensor> f, List<Tensor> params, Tensor... inputs) {
        Device device = inputs[0].device();
        if (!device.gradEnabled()) return f.apply(inputs);
        Tensor y;
        try (var ignored = device.noGrad(); AllocationScope scope = device.openScope()) {
            y = scope.keep(f.apply(inputs)); // f's temporaries are freed here
        }
        List<Tensor> all = new ArrayList<>(List.of(inputs));
        all.addAll(params);
        if (all.stream().anyMatch(Tensor::requiresGrad)) y.setGradFn(new Node(f, inputs, all.toArray(Tensor[]::new)));
        return y;
    }

    private static final class Node extends GradNode {
        private final Function<Tensor[], Tensor> f;
        private Tensor[] inputs;

        Node(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] all) {
            super("checkpoint", all);
            this.f = f;
            this.inputs = inputs.clone();
        }

        @Override
        public void backward(Tensor dy) {
            Tensor[] copies = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) copies[i] = inputs[i].detachCopy().requiresGrad(wants(inputs[i]));
            Tensor y;
            try (var ignored = dy.device().enableGrad()) {
                y = f.apply(copies);
            }
            if (y.gradFn() != null) Backward.run(y, dy.detachCopy());
            y.release();
            for (int i = 0; i < inputs.length; i++) {
                Tensor d = copies[i].grad();
                copies[i].setGrad(null);
                copies[i].release();
                if (d != null) accumulate(inputs[i], d);
            }
        }

        @Override
        protected void releaseSaved() {
            inputs = null;
        }
    }
}
