package wanka.plan;

import java.util.Map;

/**
 * What the DryRun says about one layout: its memory on the most loaded device and its step time.
 *
 * @param model     the model
 * @param cluster   the cluster
 * @param layout    the layout
 * @param profile   where the per-layer work came from
 * @param memory    peak memory of the most loaded device
 * @param time      step time and its parts
 * @param recompute the per-layer, per-op recompute choice (F5) when one was optimised or given; null when the
 *                  layout's uniform recompute mode applies
 */
public record Plan(ModelSpec model, Cluster cluster, Layout layout, LayerProfile profile, MemoryBreakdown memory,
                   StepTime time, RecomputeSolution recompute) {

    /** A plan with the layout's uniform recompute mode. */
    public Plan(ModelSpec model, Cluster cluster, Layout layout, LayerProfile profile, MemoryBreakdown memory, StepTime time) {
        this(model, cluster, layout, profile, memory, time, null);
    }

    /** Validates the layout, then estimates memory and time. */
    public static Plan of(ModelSpec model, LayerProfile profile, Cluster cluster, Layout layout) {
        layout.validate(model, cluster);
        return new Plan(model, cluster, layout, profile, MemoryModel.estimate(model, cluster, layout),
                TimeModel.estimate(model, profile, cluster, layout));
    }

    /**
     * Validates the layout, chooses per device, layer and op what to recompute under {@code budget} bytes per device
     * ({@link RecomputeOptimizer}; {@code forced} fixes some activations' storage in every layer), then estimates
     * the step with those choices. The layout's own recompute mode is replaced by none.
     */
    public static Plan optimized(ModelSpec model, LayerProfile profile, Cluster cluster, Layout layout, double budget,
                                 Map<SavedActivation, Storage> forced) {
        if (cluster.stack() == TrainingStack.WANKA_CPU) {
            throw new IllegalArgumentException("--recompute auto and per-activation choices are not modelled for wanka's CPU trainer (cluster "
                    + cluster.name() + "); plan it with --recompute none, selective or full");
        }
        Layout base = layout.with(layout.dp(), layout.tp(), layout.pp(), layout.vpp(), layout.microBatch(), layout.zero(),
                layout.sequenceParallel(), Recompute.NONE);
        base.validate(model, cluster);
        RecomputeSolution sol = RecomputeOptimizer.optimize(model, profile, cluster, base, budget, forced);
        StepTime time = TimeModel.estimate(model, profile, cluster, base, sol.perVirtualStage(base.pp(), base.vpp()));
        return new Plan(model, cluster, base, profile, sol.peak(), time, sol);
    }

    /** @return whether the most loaded device fits its usable memory (or the recompute budget) */
    public boolean fits() {
        return memory.fits();
    }
}
