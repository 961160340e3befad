package wanka.tensor;

/**
 * Where tensors live and ops run. {@link CpuDevice} computes; {@link MetaDevice} only tracks shapes,
 * FLOPs, bytes and allocations, so the same model code can be analysed without data (the DryRun).
 * A device also carries the autograd switch (while {@link #noGrad()} is open, ops record no graph),
 * its allocation counters and its open {@linkplain AllocationScope allocation scopes}. A device is
 * driven by one thread at a time; its kernels may use more.
 */
public abstract sealed class Device permits CpuDevice, MetaDevice {
    private final MemoryStats memory = new MemoryStats();
    private final AllocationScope.Stack scopes = new AllocationScope.Stack();
    private boolean gradEnabled = true;
    private volatile OpTimes opTimes;

    /** A scope that restores the previous grad mode when closed. */
    public interface GradScope extends AutoCloseable {
        @Override
        void close();
    }

    /** Allocation counters of this device. */
    public final MemoryStats memory() {
        return memory;
    }

    /** The op timer attached by {@link #timeOps}, or null (the default: ops are not timed). */
    public final OpTimes opTimes() {
        return opTimes;
    }

    /** Attaches an op timer (null detaches it): ops and backward nodes run on this device add their wall time to it. */
    public final void timeOps(OpTimes times) {
        this.opTimes = times;
    }

    /** Whether ops on this device currently record the autograd graph. */
    public final boolean gradEnabled() {
        return gradEnabled;
    }

    /** Turns graph recording off until the returned scope is closed (scopes nest). */
    public final GradScope noGrad() {
        return setGrad(false);
    }

    /** Turns graph recording on until the returned scope is closed (used by recomputation inside no-grad regions). */
    public final GradScope enableGrad() {
        return setGrad(true);
    }

    private GradScope setGrad(boolean value) {
        boolean previous = gradEnabled;
        gradEnabled = value;
        return () -> gradEnabled = previous;
    }

    /**
     * Opens an allocation scope: tensors allocated on this device until it closes are released then,
     * except those passed to {@link AllocationScope#keep}.
     */
    public final AllocationScope openScope() {
        return scopes.push(this);
    }

    final AllocationScope.Stack scopes() {
        return scopes;
    }
}
