package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.model.layers.Block;
import wanka.model.layers.LayerCache;
import wanka.model.layers.Mlp;
import wanka.model.layers.Projection;
import wanka.model.layers.Rotary;
import wanka.model.layers.SelfAttention;
import wanka.tensor.Tensor;
import wanka.train.recompute.LayerForward;
import wanka.train.recompute.RecomputeOp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One tensor-parallel rank's share of a TeleChat2 layer (Megatron-LM, Shoeybi et al. 2019 §3): the model's own
 * {@link SelfAttention} and {@link Mlp} over this rank's heads and FFN columns ({@link Split}), with the
 * communication placed around them as Megatron does: f ({@link CommOps#copyToGroup}) before the column-parallel
 * projections, g ({@link CommOps#reduceFromGroup}) after the row-parallel ones, two all-reduces forward and two
 * backward per layer (parallel-formulas §2.6). The row-parallel biases live on rank 0 only, so the sum adds
 * them once.
 *
 * <p>With sequence parallelism (Korthikanti et al. 2022) the residual stream and the norms hold only this
 * rank's block of token rows ([batch·seq/t, hidden]); f and g become all-gather and reduce-scatter over rows,
 * moving the same bytes while norms and residual adds run on 1/t of the rows.
 *
 * <p>{@code recompute} names what backward recomputes ({@link LayerForward}); a fully recomputed layer repeats its
 * forward communication in backward, as in Megatron-LM.
 *
 * <p>With {@code replicas} > 1 each region runs as a {@link ReplicaRegion}: the micro-batch split along the batch
 * into copies whose all-reduces (with sequence parallelism: all-gathers and reduce-scatters) overlap the other
 * copies' computation (F2).
 *
 * @param seq tokens per sequence (to shape gathered rows as [batch, seq, hidden] for attention)
 */
record TensorParallelBlock(Tensor inputNorm, SelfAttention attention, Tensor postAttentionNorm, Mlp mlp, float eps,
                           Comm comm, ProcessGroup tp, boolean sequenceParallel, int seq, int replicas, Set<RecomputeOp> recompute) implements Block {

    @Override
    public Tensor forward(Tensor x, Rotary rotary) {
        return layer().forward(x, rotary);
    }

    /** The layer's computation with this rank's communication at the region's edges and the recomputation asked for. */
    LayerForward layer() {
        LayerForward.Region region = replicas > 1 ? new ReplicaRegion(comm, tp, replicas, sequenceParallel, seq) : LayerForward.Region.of(this::enter, this::exit);
        return new LayerForward(inputNorm, attention, postAttentionNorm, mlp, eps, region, recompute);
    }

    /** Into the tensor-parallel region: full rows on every rank, gradient summed over the group. */
    private Tensor enter(Tensor x) {
        if (!sequenceParallel) return CommOps.copyToGroup(x, comm, tp);
        int rows = x.shape().rows() * tp.size();
        return CommOps.gatherRows(x, comm, tp, rows / seq, seq, x.shape().lastDim());
    }

    /** Out of it: the partial outputs summed (and, with sequence parallelism, split by rows again). */
    private Tensor exit(Tensor partial) {
        return sequenceParallel ? CommOps.reduceScatterRows(partial, comm, tp) : CommOps.reduceFromGroup(partial, comm, tp);
    }

    @Override
    public Tensor forwardCached(Tensor x, Rotary rotary, LayerCache cache) {
        throw new UnsupportedOperationException("generation runs on the gathered model (the HF directory a parallel run saves), not on tensor-parallel shards");
    }

    @Override
    public Block mapProjections(java.util.function.BiFunction<String, Projection, Projection> f) {
        return new TensorParallelBlock(inputNorm, attention.mapProjections((n, p) -> f.apply("self_attention." + n, p)), postAttentionNorm,
                mlp.mapProjections((n, p) -> f.apply("mlp." + n, p)), eps, comm, tp, sequenceParallel, seq, replicas, recompute);
    }

    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input_layernorm.weight", inputNorm);
        attention.parameters().forEach((k, v) -> {
            if (v != null) m.put("self_attention." + k, v);
        });
        m.put("post_attention_layernorm.weight", postAttentionNorm);
        mlp.parameters().forEach((k, v) -> {
            if (v != null) m.put("mlp." + k, v);
        });
        return m;
    }
}
