package wanka.plan;

/**
 * How one activation a layer saves for backward is held between its forward and its backward (F5).
 */
public enum Storage {
    /** Kept whole (for a linear input: the all-gathered tensor, so backward needs no gather). */
    KEEP,
    /**
     * Communication-selective recompute: only this tensor-parallel rank's 1/t sequence slice is kept and the whole
     * tensor is all-gathered again in backward (Megatron's default for sequence-parallel linear inputs, MindSpore's
     * sliced activations without it).
     */
    SLICE,
    /** Compute-selective recompute: dropped after forward, its producer op is rerun at the start of the layer's backward. */
    RECOMPUTE
}
