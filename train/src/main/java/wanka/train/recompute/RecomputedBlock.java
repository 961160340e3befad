package wanka.train.recompute;

import wanka.model.layers.Block;
import wanka.model.layers.LayerCache;
import wanka.model.layers.Rotary;
import wanka.tensor.AllocationScope;
import wanka.tensor.Device;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.Backward;
import wanka.tensor.autograd.GradNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Full activation recomputation of one block: the forward pass keeps only the block's input; backward runs
 * the block's forward again with the graph recorded and back-propagates through that. Applied to a built
 * model with {@code model.mapBlocks(RecomputedBlock::new)}; the block itself is unchanged.
 */
public record RecomputedBlock(Block inner) implements Block {

    @Override
    public Tensor forward(Tensor x, Rotary rotary) {
        Device device = x.device();
        if (!device.gradEnabled()) return inner.forward(x, rotary);
        Tensor y;
        try (var ignored = device.noGrad(); AllocationScope scope = device.openScope()) {
            y = scope.keep(inner.forward(x, rotary)); // the block's temporaries are freed here
        }
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(inner.parameters().values());
        if (inputs.stream().anyMatch(Tensor::requiresGrad)) y.setGradFn(new Node(inner, rotary, x, inputs.toArray(Tensor[]::new)));
        return y;
    }

    @Override
    public Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache) {
        return inner.forwardCached(x, rotary, cache);
    }

    @Override
    public Map<String, Tensor> parameters() {
        return inner.parameters();
    }

    @Override
    public Block mapProjections(java.util.function.BiFunction<String, wanka.model.layers.Projection, wanka.model.layers.Projection> f) {
        return new RecomputedBlock(inner.mapProjections(f));
    }

    private static final class Node extends GradNode {
        private final Block inner;
        private final Rotary rotary;
        private Tensor x;

        Node(Block inner, Rotary rotary, Tensor x, Tensor[] inputs) {
            super("recompute", inputs);
            this.inner = inner;
            this.rotary = rotary;
            this.x = x;
        }

        @Override
        public void backward(Tensor dy) {
            Tensor xd = x.detachCopy().requiresGrad(wants(x));
            Tensor y;
            try (var ignored = x.device().enableGrad()) {
                y = inner.forward(xd, rotary);
            }
            if (y.gradFn() != null) Backward.run(y, dy.detachCopy());
            y.release();
            Tensor dx = xd.grad();
            xd.release();
            if (dx != null) accumulate(x, dx);
        }

        @Override
        protected void releaseSaved() {
            x = null;
        }
    }
}
