package wanka.tensor;

/**
 * Where tensors live and ops run. {@link CpuDevice} computes; {@link MetaDevice} only tracks shapes,
 * FLOPs, bytes and allocations, so the same model code can be analysed without data (the DryRun).
 * A device also carries the autograd switch: while {@link #noGrad()} is open, ops record no graph.
 */
public sealed interface Device permits CpuDevice, MetaDevice {

    /** Allocation counters of this device. */
    MemoryStats memory();

    /** Whether ops on this device currently record the autograd graph. */
    boolean gradEnabled();

    /** Turns graph recording off until the returned scope is closed (scopes nest). */
    GradScope noGrad();

    /** Turns graph recording on until the returned scope is closed (used by recomputation inside no-grad regions). */
    GradScope enableGrad();

    /**
     * Opens an allocation scope: tensors allocated on this device until it closes are released then,
     * except those passed to {@link AllocationScope#keep}.
     */
    default AllocationScope openScope() {
        return scopes().push(this);
    }

    /** The open allocation scopes (internal). */
    AllocationScope.Stack scopes();

    /** A scope that restores the previous grad mode when closed. */
    interface GradScope extends AutoCloseable {
        @Override
        void close();
    }
}
