package wanka.plan;

/**
 * Work of a piece of computation on one device, by op class: matrix-multiply FLOPs, attention-core FLOPs, bytes of
 * memory-bound ops, and the number of kernels launched.
 */
public record Work(double matmulFlops, double attentionFlops, double memoryBytes, double kernels) {
    /** No work. */
    public static final Work ZERO = new Work(0, 0, 0, 0);

    public Work plus(Work o) {
        return new Work(matmulFlops + o.matmulFlops, attentionFlops + o.attentionFlops, memoryBytes + o.memoryBytes,
                kernels + o.kernels);
    }

    public Work times(double k) {
        return new Work(matmulFlops * k, attentionFlops * k, memoryBytes * k, kernels * k);
    }

    /** @return matmul plus attention FLOPs */
    public double flops() {
        return matmulFlops + attentionFlops;
    }

    /**
     * Seconds on a device of {@code c} by the roofline of each class: matmul and attention at their achieved
     * fraction of the 16-bit peak, memory-bound ops at their achieved fraction of HBM bandwidth, plus a fixed cost
     * per kernel.
     */
    public Seconds seconds(Cluster c) {
        Efficiency e = c.efficiency();
        double peak = c.accelerator().peak16();
        return new Seconds(matmulFlops / (peak * e.matmul()), attentionFlops / (peak * e.attention()),
                memoryBytes / (c.accelerator().hbmBandwidth() * e.memory()), kernels * e.kernelOverhead());
    }

    /**
     * Seconds of a {@link Work}, by class; {@code allocation} is the allocation and zeroing of the tensors the ops create,
     * priced only with measured CPU rates ({@link CpuRates}; 0 on the roofline).
     */
    public record Seconds(double matmul, double attention, double memory, double overhead, double allocation) {
        public static final Seconds ZERO = new Seconds(0, 0, 0, 0, 0);

        /** Seconds without allocation. */
        public Seconds(double matmul, double attention, double memory, double overhead) {
            this(matmul, attention, memory, overhead, 0);
        }

        public double total() {
            return matmul + attention + memory + overhead + allocation;
        }

        public Seconds plus(Seconds o) {
            return new Seconds(matmul + o.matmul, attention + o.attention, memory + o.memory, overhead + o.overhead,
                    allocation + o.allocation);
        }

        public Seconds times(double k) {
            return new Seconds(matmul * k, attention * k, memory * k, overhead * k, allocation * k);
        }
    }
}
