package wanka.plan;

import wanka.train.recompute.RecomputeOp;
import wanka.train.recompute.RecomputePlan;

import java.util.Set;

/**
 * Per-rank memory of wanka's own trainer ({@code pretrain} with a parallel layout, {@code wanka.train.parallel}) on
 * the CPU, in fp32, as its device counts it ({@code peak_bytes} of the step logs): the tensors the model code
 * allocates, op by op, rather than Megatron's 16-bit §2.3 terms. Every tensor a forward op returns stays allocated
 * until backward has used it, whether or not autograd saves it, so a layer's activations are the sum of its ops'
 * outputs (per token, t = tp, g·d_h kv width, f FFN width):
 * <ul>
 *   <li>replicated: the two RMSNorm outputs, the attention and MLP outputs (row-parallel partial sums), the two
 *       residual adds: 6h; with t > 1 the two all-reduced copies of the partial sums, 2h;</li>
 *   <li>split over t: q and its rotated copy 2h, key_value and its rotated copy 4g·d_h, the attention output h, gate,
 *       up and SwiGLU's product 3f.</li>
 * </ul>
 * Recomputing the attention core drops the rotated copies (h + 2g·d_h)/t; the MLP activation drops gate and up 2f/t;
 * the whole layer keeps only its output h. Beside the layers: the embedding output (and its all-reduced copy when
 * t > 1), a received activation per micro-batch on later pipeline stages, and on the last stage the final norm's
 * output, the loss's input gradient (computed in forward) and its LM-head gradient (V/t·h), and while the loss runs one
 * chunk of logits. Static: the flat fp32 parameters and gradients of the rank, AdamW's two moments of the part it owns
 * (1/dp of it under ZeRO-1). In flight: 1F1B's min(p − r, m) micro-batches on pipeline rank r.
 *
 * <p>The backward adds a transient: the gradients alive while one layer's backward runs — SwiGLU's input gradients
 * and its output gradient 3f/t, the residual-stream gradient and the gradient of the MLP's normalised input 2h — and,
 * for a recomputed layer, that layer's rebuilt activations.
 */
public final class WankaMemory {
    /** Floats of one chunk of logits in the fused single-process loss ({@code LmHeadLossOp}). */
    static final int LOSS_CHUNK_FLOATS = 1 << 24;

    private WankaMemory() {
    }

    /** The recompute plan of a uniform mode (what {@code pretrain --recompute none|selective|full} runs). */
    public static RecomputePlan plan(Recompute mode) {
        return switch (mode) {
            case Recompute.None n -> RecomputePlan.NONE;
            case Recompute.Selective s -> RecomputePlan.SELECTIVE;
            case Recompute.Full f -> RecomputePlan.FULL;
        };
    }

    /** Floats one layer keeps per token on one TP rank under {@code ops}. */
    static double layerFloatsPerToken(ModelSpec m, int t, Set<RecomputeOp> ops) {
        double h = m.hidden(), kv = 2.0 * m.kvHeads() * m.headDim(), f = m.ffn();
        if (ops.contains(RecomputeOp.FULL)) return h;
        double rep = 6 * h + (t > 1 ? 2 * h : 0);
        double split = 3 * h + 2 * kv + 3 * f;
        if (ops.contains(RecomputeOp.ATTENTION_CORE)) split -= h + kv;
        if (ops.contains(RecomputeOp.MLP_ACTIVATION)) split -= 2 * f;
        return rep + split / t;
    }

    /** Parameters on one rank: its layers' TP slices (norms and biases whole), the embedding / LM head slices, ln_f. */
    static double parameters(ModelSpec m, int t, int p, int rank) {
        long h = m.hidden();
        double layer = (double) m.layerMatrixParameters() / t + 2 * m.normParameters() + 2 * h; // + dense and down_proj biases
        int layers = PipelineSchedule.layersOf(m.layers(), p, rank);
        double psi = layers * layer;
        if (rank == 0) psi += (double) m.vocab() * h / t;
        if (rank == p - 1) psi += (double) m.vocab() * h / t + m.normParameters();
        return psi;
    }

    /** The memory of pipeline rank {@code rank} under {@code lay} with {@code plan}'s per-layer recomputation (vpp 1). */
    public static MemoryBreakdown rank(ModelSpec m, Cluster c, Layout lay, RecomputePlan plan, int rank) {
        if (lay.vpp() != 1) throw new IllegalArgumentException("the CPU memory model covers plain 1F1B (vpp 1), got vpp " + lay.vpp());
        if (lay.sequenceParallel() || lay.replicas() > 1) {
            throw new IllegalArgumentException("the CPU memory model does not cover sequence parallelism or replicas yet");
        }
        int t = lay.tp(), p = lay.pp(), d = lay.dp();
        double n = (double) lay.microBatch() * lay.seq(), h = m.hidden(), f = m.ffn();
        int b = 4;
        double psi = parameters(m, t, p, rank);
        double weights = b * psi, grads = b * psi;
        double optimizer = 2.0 * b * (lay.zero().ordinal() >= 1 ? Math.ceil(psi / d) : psi);
        int first = PipelineSchedule.firstLayerOf(m.layers(), p, rank), count = PipelineSchedule.layersOf(m.layers(), p, rank);
        double perMicro = 0, rebuilt = 0;
        for (int l = first; l < first + count; l++) {
            Set<RecomputeOp> ops = plan.ops(l);
            perMicro += layerFloatsPerToken(m, t, ops);
            if (!ops.isEmpty()) rebuilt = Math.max(rebuilt, layerFloatsPerToken(m, t, Set.of()) - layerFloatsPerToken(m, t, ops));
        }
        if (rank == 0) perMicro += h * (t > 1 ? 2 : 1);    // embedding output (+ its all-reduced copy)
        else perMicro += h;                                 // the activation received from the previous stage
        double inFlight = Math.min(p - rank, lay.microBatches());
        double activations = b * n * perMicro * inFlight;
        double head = 0, loss = 0;
        if (rank == p - 1) {
            head = b * (2 * n * h + (double) m.vocab() / t * h);   // ln_f output, the loss's dh and its LM-head gradient
            loss = b * (t > 1 ? n * m.vocab() / t : Math.min(n, Math.max(1, LOSS_CHUNK_FLOATS / m.vocab())) * m.vocab());
        }
        double backward = b * n * ((3 * f / t + 2 * h) + rebuilt);
        double temporaries = Math.max(loss, backward);
        return new MemoryBreakdown(rank, psi, weights, grads, optimizer, activations + head, 0, temporaries,
                c == null ? Double.POSITIVE_INFINITY : c.accelerator().usableBytes());
    }
}
