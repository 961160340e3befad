package wanka.plan;

/**
 * What the DryRun says about one layout: its memory on the most loaded device and its step time.
 *
 * @param model   the model
 * @param cluster the cluster
 * @param layout  the layout
 * @param profile where the per-layer work came from
 * @param memory  peak memory of the most loaded device
 * @param time    step time and its parts
 */
public record Plan(ModelSpec model, Cluster cluster, Layout layout, LayerProfile profile, MemoryBreakdown memory,
                   StepTime time) {

    /** Validates the layout, then estimates memory and time. */
    public static Plan of(ModelSpec model, LayerProfile profile, Cluster cluster, Layout layout) {
        layout.validate(model, cluster);
        return new Plan(model, cluster, layout, profile, MemoryModel.estimate(model, cluster, layout),
                TimeModel.estimate(model, profile, cluster, layout));
    }

    /** @return whether the most loaded device fits its usable memory */
    public boolean fits() {
        return memory.fits();
    }
}
