package wanka.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocation counters of one device: bytes allocated in total, bytes live now and the peak of live bytes.
 * A tensor's bytes stop being live when it is {@linkplain Tensor#release() released} (the autograd engine
 * releases saved activations and gradients as soon as backward no longer needs them).
 */
public final class MemoryStats {
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    void onAllocate(long bytes) {
        allocated.addAndGet(bytes);
        allocations.incrementAndGet();
        long now = live.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    void onRelease(long bytes) {
        live.addAndGet(-bytes);
    }

    /** Total bytes ever allocated. */
    public long allocatedBytes() {
        return allocated.get();
    }

    /** Bytes allocated and not yet released. */
    public long liveBytes() {
        return live.get();
    }

    /** Highest {@link #liveBytes()} seen since creation or the last {@link #resetPeak()}. */
    public long peakBytes() {
        return peak.get();
    }

    /** Number of allocations. */
    public long allocations() {
        return allocations.get();
    }

    /** Starts a new peak window at the current live bytes. */
    public void resetPeak() {
        peak.set(live.get());
    }

    @Override
    public String toString() {
        return "MemoryStats[live=" + live.get() + ", peak=" + peak.get() + ", allocated=" + allocated.get() + "]";
    }
}
