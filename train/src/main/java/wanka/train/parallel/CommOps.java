package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;

import java.util.function.IntConsumer;

/**
 * The differentiable communication of tensor and sequence parallelism (Megatron-LM's {@code mappings.py}), and
 * the gate that tells the data-parallel gradient sync when a layer's backward is over. Each op runs its
 * collective on the calling rank's thread (blocking) and records a backward node when its input needs a gradient.
 * With a group of one rank the communication ops return their input unchanged.
 *
 * <ul>
 *   <li>{@link #copyToGroup} is Megatron's f: identity forward, all-reduce of the gradient backward; it sits
 *       before column-parallel layers, whose input gradients are partial sums over the group.</li>
 *   <li>{@link #reduceFromGroup} is g: all-reduce forward (the partial outputs of a row-parallel layer),
 *       identity backward.</li>
 *   <li>{@link #gatherRows} / {@link #reduceScatterRows}: sequence parallelism (Korthikanti et al. 2022) keeps the
 *       token rows split over the group outside attention and MLP; all-gather forward / reduce-scatter backward,
 *       and the reverse. Rank k holds rows [k·n/t, (k+1)·n/t) of the [batch·seq, hidden] activations.</li>
 * </ul>
 */
final class CommOps {
    private CommOps() {
    }

    /** Identity forward; the gradient is summed over {@code g} (Megatron's f). */
    static Tensor copyToGroup(Tensor x, Comm comm, ProcessGroup g) {
        if (g.size() == 1) return x;
        Tensor y = x.reshapeView(x.shape().dims());
        if (records(x)) y.setGradFn(new Node("copy_to_tp", x, dy -> {
            Tensor dx = dy.detachCopy();
            comm.allReduce(g, dx.data(), dx.offset(), (int) dx.numel());
            return dx;
        }));
        return y;
    }

    /** The sum over {@code g} forward; identity backward (Megatron's g). */
    static Tensor reduceFromGroup(Tensor x, Comm comm, ProcessGroup g) {
        if (g.size() == 1) return x;
        Tensor y = x.detachCopy();
        comm.allReduce(g, y.data(), y.offset(), (int) y.numel());
        if (records(x)) y.setGradFn(new Node("reduce_from_tp", x, Tensor::detachCopy));
        return y;
    }

    /** Rows gathered from every rank of {@code g} in rank order, shaped {@code dims}; backward reduce-scatters. */
    static Tensor gatherRows(Tensor x, Comm comm, ProcessGroup g, int... dims) {
        if (g.size() == 1) return x.reshapeView(dims);
        Tensor y = Tensor.zeros(x.device(), Shape.of(dims));
        comm.allGather(g, x.data(), x.offset(), (int) x.numel(), y.data(), y.offset());
        if (records(x)) y.setGradFn(new Node("gather_rows", x, dy -> {
            Tensor dx = Tensor.zeros(x.device(), x.shape());
            comm.reduceScatter(g, dy.data(), dy.offset(), (int) dy.numel(), dx.data(), dx.offset());
            return dx;
        }));
        return y;
    }

    /** The sum over {@code g} of {@code x}, of which this rank keeps its block of rows, as [rows/size, hidden]. */
    static Tensor reduceScatterRows(Tensor x, Comm comm, ProcessGroup g) {
        int rows = x.shape().rows(), hidden = x.shape().lastDim();
        if (g.size() == 1) return x.reshapeView(rows, hidden);
        Tensor y = Tensor.zeros(x.device(), Shape.of(rows / g.size(), hidden));
        comm.reduceScatter(g, x.data(), x.offset(), (int) x.numel(), y.data(), y.offset());
        if (records(x)) y.setGradFn(new Node("reduce_scatter_rows", x, dy -> {
            Tensor dx = Tensor.zeros(x.device(), x.shape());
            comm.allGather(g, dy.data(), dy.offset(), (int) dy.numel(), dx.data(), dx.offset());
            return dx;
        }));
        return y;
    }

    /**
     * Identity whose backward first passes the gradient on and then calls {@code onBackward.accept(id)}. Placed at
     * a layer's input, its backward runs after every op of the layer (the engine runs nodes in reverse topological
     * order, and every op of a layer depends on its input), so at that moment the layer's parameter gradients
     * are final: the hook {@link GradSync} uses to start a bucket's reduction while backward goes on.
     */
    static Tensor gate(Tensor x, int id, IntConsumer onBackward) {
        if (!records(x)) return x;
        Tensor y = x.reshapeView(x.shape().dims());
        y.setGradFn(new GradNode("grad_ready", x) {
            @Override
            public void backward(Tensor dy) {
                accumulate(x, dy.detachCopy());
                onBackward.accept(id);
            }
        });
        return y;
    }

    private static boolean records(Tensor x) {
        return x.device().gradEnabled() && x.requiresGrad();
    }

    /** A node whose input gradient is {@code rule(dy)} (a fresh tensor). */
    private static final class Node extends GradNode {
        private final Tensor x;
        private final java.util.function.UnaryOperator<Tensor> rule;

        Node(String name, Tensor x, java.util.function.UnaryOperator<Tensor> rule) {
            super(name, x);
            this.x = x;
            this.rule = rule;
        }

        @Override
        public void backward(Tensor dy) {
            accumulate(x, rule.apply(dy));
        }
    }
}
