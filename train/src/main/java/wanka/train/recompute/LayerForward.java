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
 * parts {@code ops} names recomputed in backward ({@link Checkpoint}) and the tensor-parallel region's edges
 * ({@code enter} before the column-parallel projections, {@code exit} after the row-parallel ones; identities on
 * one rank). Shared by the single-process {@link RecomputingBlock} and the tensor-parallel block, so both
 * recompute the same things.
 */
public record LayerForward(Tensor inputNorm, SelfAttention attention, Tensor postAttentionNorm, Mlp mlp, float eps,
                           UnaryOperator<Tensor> enter, UnaryOperator<Tensor> exit, Set<RecomputeOp> ops) {

    public LayerForward {
        ops = Set.copyOf(ops);
    }

    public Tensor forward(Tensor x, Rotary rotary) {
        if (ops.contains(RecomputeOp.FULL)) {
            LayerForward inner = new LayerForward(inputNorm, attention, postAttentionNorm, mlp, eps, enter, exit, Set.of());
            return Checkpoint.of(in -> inner.forward(in[0], rotary), parameters(), x);
        }
        return mlpHalf(attentionHalf(x, rotary));
    }

    /** x + attention(norm(x)), the first residual half of the layer. */
    public Tensor attentionHalf(Tensor x, Rotary rotary) {
        return Ops.add(x, exit.apply(attentionPartial(x, rotary)));
    }

    /** h + mlp(norm(h)), the second residual half. */
    public Tensor mlpHalf(Tensor h) {
        return Ops.add(h, exit.apply(mlpPartial(h)));
    }

    /** This rank's partial attention output (before {@code exit}) for the residual stream {@code x}. */
    public Tensor attentionPartial(Tensor x, Rotary rotary) {
        Tensor n = enter.apply(Ops.rmsNorm(x, inputNorm, eps));
        if (!ops.contains(RecomputeOp.ATTENTION_CORE)) return attention.forward(n, rotary);
        Tensor q = attention.query().forward(n), kv = attention.keyValue().forward(n);
        return attention.dense().forward(Checkpoint.of(in -> attention.core(in[0], in[1], rotary), List.of(), q, kv));
    }

    /** This rank's partial MLP output (before {@code exit}) for the residual stream {@code h}. */
    public Tensor mlpPartial(Tensor h) {
        Tensor n = enter.apply(Ops.rmsNorm(h, postAttentionNorm, eps));
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
