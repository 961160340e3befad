package wanka.train.recompute;

import wanka.model.layers.Mlp;
import wanka.model.layers.Rotary;
import wanka.model.layers.SelfAttention;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The forward pass of one TeleChat2 layer, exactly as {@code TransformerBlock.forward} computes it, with the
 * parts {@code ops} names recomputed in backward ({@link Checkpoint}) and the attention and the MLP each run in
 * a {@link Region}: the tensor-parallel region's communication around them, nothing on one rank. Shared by the
 * single-process {@link RecomputingBlock} and the tensor-parallel block, so both recompute the same things.
 */
public record LayerForward(Tensor inputNorm, SelfAttention attention, Tensor postAttentionNorm, Mlp mlp, float eps,
                           Region region, Set<RecomputeOp> ops) {

    /**
     * Where the attention or the MLP runs: {@code apply(n, f)} gives the layer's output of {@code f} (attention or
     * MLP over this rank's heads or columns) for the normalised residual stream {@code n}, with whatever
     * communication brings {@code n} in and sums the partial outputs (Megatron's f and g).
     */
    public interface Region {
        Tensor apply(Tensor n, UnaryOperator<Tensor> f);

        /** One rank: {@code f(n)}. */
        Region LOCAL = (n, f) -> f.apply(n);

        /** {@code exit(f(enter(n)))}. */
        static Region of(UnaryOperator<Tensor> enter, UnaryOperator<Tensor> exit) {
            return (n, f) -> exit.apply(f.apply(enter.apply(n)));
        }
    }

    public LayerForward {
        ops = Set.copyOf(ops);
    }

    public Tensor forward(Tensor x, Rotary rotary) {
        if (ops.contains(RecomputeOp.FULL)) {
            LayerForward inner = new LayerForward(inputNorm, attention, postAttentionNorm, mlp, eps, region, Set.of());
            return Checkpoint.of(in -> inner.forward(in[0], rotary), parameters(), x);
        }
        Tensor h = Ops.add(x, region.apply(Ops.rmsNorm(x, inputNorm, eps), n -> attention(n, rotary)));
        return Ops.add(h, region.apply(Ops.rmsNorm(h, postAttentionNorm, eps), this::mlp));
    }

    /** Attention over this rank's heads on the normalised input {@code n}, its core recomputed if asked. */
    private Tensor attention(Tensor n, Rotary rotary) {
        if (!ops.contains(RecomputeOp.ATTENTION_CORE)) return attention.forward(n, rotary);
        Tensor q = attention.query().forward(n), kv = attention.keyValue().forward(n);
        return attention.dense().forward(Checkpoint.of(in -> attention.core(in[0], in[1], rotary), List.of(), q, kv));
    }

    /** The MLP over this rank's columns on the normalised input {@code n}, its activation recomputed if asked. */
    private Tensor mlp(Tensor n) {
        if (!ops.contains(RecomputeOp.MLP_ACTIVATION)) return mlp.forward(n);
        List<Tensor> params = mlp.parameters().values().stream().filter(Objects::nonNull).toList();
        return mlp.down().forward(Checkpoint.of(in -> mlp.activation(in[0]), params, n));
    }

    /** The layer's parameters (those of its projections, norms and biases; null biases left out). */
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        p.add(inputNorm);
        attention.parameters().values().stream().filter(Objects::nonNull).forEach(p::add);
        p.add(postAttentionNorm);
        mlp.parameters().values().stream().filter(Objects::nonNull).forEach(p::add);
        return p;
    }
}
