package wanka.tensor;

import wanka.tensor.cpu.CpuPool;

/** The CPU: FP32 heap storage, kernels on the Vector API run on a {@link CpuPool}. */
public final class CpuDevice implements Device, AutoCloseable {
    private final CpuPool pool;
    private final MemoryStats memory = new MemoryStats();
    private final GradMode gradMode = new GradMode();
    private final AllocationScope.Stack scopes = new AllocationScope.Stack();

    public CpuDevice(CpuPool pool) {
        this.pool = pool;
    }

    /** A CPU device with {@code threads} worker threads. */
    public static CpuDevice withThreads(int threads) {
        return new CpuDevice(CpuPool.ofThreads(threads));
    }

    public CpuPool pool() {
        return pool;
    }

    @Override
    public MemoryStats memory() {
        return memory;
    }

    @Override
    public AllocationScope.Stack scopes() {
        return scopes;
    }

    @Override
    public boolean gradEnabled() {
        return gradMode.enabled();
    }

    @Override
    public GradScope noGrad() {
        return gradMode.set(false);
    }

    @Override
    public GradScope enableGrad() {
        return gradMode.set(true);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "cpu(" + pool.threads() + " threads)";
    }
}
