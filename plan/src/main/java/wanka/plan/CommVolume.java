package wanka.plan;

/**
 * Communication volumes of §2.6, in elements (multiply by bytes per element).
 */
public final class CommVolume {
    private CommVolume() {
    }

    /**
     * Elements one device sends for tensor parallelism per layer and micro-batch: 2 all-reduces of b·s·h forward
     * and 2 backward, each moving 2(t−1)/t of its buffer, i.e. 8·b·s·h·(t−1)/t; full recompute repeats the two
     * forward ones (12·b·s·h·(t−1)/t). Sequence parallelism replaces each all-reduce by reduce-scatter + all-gather
     * of the same volume.
     */
    public static double tensorParallelPerLayer(long b, long s, long h, int t, Recompute rc) {
        if (t == 1) return 0;
        double collectives = rc instanceof Recompute.Full ? 6 : 4;
        return collectives * 2.0 * b * s * h * (t - 1) / t;
    }

    /** Number of TP all-reduces (or RS+AG pairs) per layer and micro-batch: 2 forward, 2 backward, 2 more with full recompute. */
    public static int tensorParallelCollectivesPerLayer(Recompute rc) {
        return rc instanceof Recompute.Full ? 6 : 4;
    }

    /**
     * Elements crossing one pipeline-stage boundary per micro-batch in one direction: b·s·h, or b·s·h/t per TP
     * rank with scatter/gather or sequence parallelism (then all-gathered inside the node).
     */
    public static double pipelinePerBoundary(long b, long s, long h, int t, boolean scatterGather) {
        return (double) b * s * h / (scatterGather ? t : 1);
    }

    /**
     * Elements one device sends for the data-parallel gradient reduction of {@code psi} parameters over d ranks:
     * 2(d−1)/d·Ψ for an all-reduce (and for ZeRO-1/2's reduce-scatter + all-gather), 1.5× that for ZeRO-3.
     */
    public static double dataParallel(double psi, int d, ZeroStage z) {
        if (d == 1) return 0;
        double ar = 2.0 * (d - 1) / d * psi;
        return z == ZeroStage.ZERO_3 ? 1.5 * ar : ar;
    }
}
