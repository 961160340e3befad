package wanka.tensor;

import wanka.tensor.cpu.CpuPool;

/** The CPU: FP32 heap storage, kernels on the Vector API run on a {@link CpuPool}. */
public final class CpuDevice extends Device implements AutoCloseable {
    private final CpuPool pool;

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
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "cpu(" + pool.threads() + " threads)";
    }
}
