package wanka.plan;

/**
 * Per-device memory of a layout (§2.3 activations, §2.4 parameters, gradients and optimizer state), for the first
 * and the last pipeline stage; the larger is the device that must fit. Weights, gradients and optimizer state take the
 * layout's {@link Precision}; the §2.3 activation terms, written for 16-bit activations, scale with its activation
 * bytes. On wanka's own CPU trainer ({@link TrainingStack#WANKA_CPU}) the memory is {@link WankaMemory}'s instead.
 */
public final class MemoryModel {
    private MemoryModel() {
    }

    /**
     * Parameters held by the most loaded device (§2.4): (l/p)·(per-layer)/t + V·h/t for the embedding, plus the
     * learned position table, plus the LM head when untied and p = 1.
     */
    public static double parametersFirstStage(ModelSpec m, int t, int p, int v) {
        double psi = (double) ActivationMemory.layersPerDevice(m, p, v) * m.layerParameters() / t
                + (double) m.vocab() * m.hidden() / t + (double) m.learnedPositions() * m.hidden();
        if (p == 1 && !m.tiedEmbeddings()) psi += (double) m.vocab() * m.hidden() / t;
        if (p == 1) psi += m.normParameters();
        return psi;
    }

    /** Parameters of the last stage: its layers, the final norm and the LM head (a copy of the embedding if tied). */
    public static double parametersLastStage(ModelSpec m, int t, int p, int v) {
        if (p == 1) return parametersFirstStage(m, t, p, v);
        return (double) ActivationMemory.layersPerDevice(m, p, v) * m.layerParameters() / t
                + (double) m.vocab() * m.hidden() / t + m.normParameters();
    }

    /** Bytes of weights for {@code psi} parameters under ZeRO (§2.4): sharded over d only at stage 3. */
    public static double weightBytes(double psi, Precision pr, ZeroStage z, int d) {
        return psi * pr.paramBytes() / (z == ZeroStage.ZERO_3 ? d : 1);
    }

    /** Bytes of gradients: sharded over d from stage 2. */
    public static double gradientBytes(double psi, Precision pr, ZeroStage z, int d) {
        return psi * pr.gradBytes() / (z.ordinal() >= 2 ? d : 1);
    }

    /** Bytes of optimizer state: sharded over d from stage 1. */
    public static double optimizerBytes(double psi, Precision pr, ZeroStage z, int d) {
        return psi * pr.optimizerBytes() / (z.ordinal() >= 1 ? d : 1);
    }

    /** The memory of the most loaded device (first or last stage). */
    public static MemoryBreakdown estimate(ModelSpec m, Cluster c, Layout lay) {
        MemoryBreakdown first = rank(m, c, lay, 0);
        if (lay.pp() == 1) return first;
        MemoryBreakdown last = rank(m, c, lay, lay.pp() - 1);
        return last.total() > first.total() ? last : first;
    }

    /**
     * The memory of pipeline device {@code r} under the layout's uniform recompute mode: its layers' §2.3 bytes times
     * the micro-batches it holds in flight ({@link ActivationMemory#inFlightMicroBatches}), plus stage 0's extras; for
     * r = 0 this is §2.3's first-stage estimate. Full recompute adds one layer's activations as a transient.
     */
    public static MemoryBreakdown rank(ModelSpec m, Cluster c, Layout lay, int r) {
        if (c.stack() == TrainingStack.WANKA_CPU) return WankaMemory.rank(m, c, lay, WankaMemory.plan(lay.recompute()), r);
        int t = lay.tp(), p = lay.pp(), v = lay.vpp();
        long s = lay.seq(), b = lay.microBatch();
        double per = ActivationMemory.perLayer(m, s, b, t, lay.sequenceParallel(), lay.recompute());
        double act = ActivationMemory.layersPerDevice(m, p, v) * per
                * ActivationMemory.inFlightMicroBatches(r, p, v, lay.microBatches());
        if (r == 0) act += ActivationMemory.firstStageExtras(m, lay);
        double temp = 0;
        if (lay.recompute() instanceof Recompute.Full) {
            temp += ActivationMemory.perLayer(m, s, b, t, lay.sequenceParallel(), Recompute.NONE);
        }
        double width = lay.precision().activationBytes() / 2.0; // the §2.3 terms count 16-bit activations
        return device(m, c, lay, r, act * width, temp * width);
    }

    /** Parameters on pipeline device {@code rank}: its layers, plus the embedding on the first, the LM head on the last. */
    public static double parametersOnDevice(ModelSpec m, int t, int p, int v, int rank) {
        if (rank == 0) return parametersFirstStage(m, t, p, v);
        if (rank == p - 1) return parametersLastStage(m, t, p, v);
        return (double) ActivationMemory.layersPerDevice(m, p, v) * m.layerParameters() / t;
    }

    /**
     * The memory of pipeline device {@code rank} holding {@code activations} bytes of activations, with a transient
     * {@code recomputeTemp} while recomputing; the last stage (p > 1) adds the logits of the loss as a temporary.
     */
    public static MemoryBreakdown device(ModelSpec m, Cluster c, Layout lay, int rank, double activations,
                                         double recomputeTemp) {
        int t = lay.tp(), p = lay.pp(), v = lay.vpp(), d = lay.dp();
        long s = lay.seq(), b = lay.microBatch();
        Precision pr = lay.precision();
        double psi = parametersOnDevice(m, t, p, v, rank);
        double temp = recomputeTemp;
        if (rank == p - 1 && p > 1) temp += ActivationMemory.outputLayer(m, s, b, t);
        double sbh = (double) s * b * m.hidden() * pr.activationBytes();
        double comm = 0;
        if (t > 1) comm += 2 * sbh;                       // TP all-reduce / all-gather in and out buffers
        if (p > 1) comm += 2 * sbh / (lay.sequenceParallel() ? t : 1); // p2p send and receive
        // Data parallel adds nothing here: Megatron's gradient buckets are views into its one contiguous gradient buffer
        // (counted in the gradients), and the all-reduce or reduce-scatter runs in place on them.
        if (lay.zero() == ZeroStage.ZERO_3) comm += 2.0 * m.layerParameters() / t * pr.paramBytes();
        return new MemoryBreakdown(rank, psi, weightBytes(psi, pr, lay.zero(), d), gradientBytes(psi, pr, lay.zero(), d),
                optimizerBytes(psi, pr, lay.zero(), d), activations, comm, temp, c.accelerator().usableBytes());
    }
}
