package wanka.plan;

/**
 * A homogeneous cluster: {@code nodes} nodes of {@code devicesPerNode} accelerators, a fast link inside a node and
 * a network between nodes, and the efficiency constants of this kind of machine.
 *
 * @param name           preset name or a description
 * @param accelerator    the chip
 * @param devicesPerNode accelerators per node
 * @param nodes          number of nodes
 * @param intra          the link between devices of one node
 * @param inter          the network between nodes, per device
 * @param efficiency     the fitted (or borrowed) constants of the time model
 * @param calibratedOn   where the efficiency constants come from, for reports
 * @param precision      the precision a run on it trains in unless the plan says otherwise (presets: bf16 with fp32 main
 *                       gradients; the CPU profile: fp32)
 * @param stack          whose trainer runs there (what the memory model counts)
 * @param rates          per-op-class and per-shape rates measured by {@code wanka plan calibrate} ({@link CpuRates}); when
 *                       present the time model prices each op by them instead of the roofline of {@link Work#seconds};
 *                       null for the presets and for profiles written before they were measured
 */
public record Cluster(String name, Accelerator accelerator, int devicesPerNode, int nodes, Link intra, Link inter,
                      Efficiency efficiency, String calibratedOn, Precision precision, TrainingStack stack, CpuRates rates) {
    /**
     * Checks sizes; a cluster file written before precision and stack were recorded gets them from how it was made
     * (a {@code wanka plan calibrate} profile: fp32 on wanka's CPU trainer; otherwise bf16 with fp32 gradients on Megatron).
     */
    public Cluster {
        if (devicesPerNode <= 0) throw new IllegalArgumentException("devices per node must be positive, got " + devicesPerNode);
        if (nodes <= 0) throw new IllegalArgumentException("nodes must be positive, got " + nodes);
        if (stack == null) {
            stack = calibratedOn != null && calibratedOn.startsWith(CpuCalibration.SOURCE) ? TrainingStack.WANKA_CPU : TrainingStack.MEGATRON;
        }
        if (precision == null) precision = stack == TrainingStack.WANKA_CPU ? Precision.FP32 : Precision.BF16_FP32_GRADS;
    }

    /** A cluster priced by the roofline alone (no measured per-shape rates). */
    public Cluster(String name, Accelerator accelerator, int devicesPerNode, int nodes, Link intra, Link inter, Efficiency efficiency,
                   String calibratedOn, Precision precision, TrainingStack stack) {
        this(name, accelerator, devicesPerNode, nodes, intra, inter, efficiency, calibratedOn, precision, stack, null);
    }

    /** A Megatron-style cluster in bf16 with fp32 main gradients. */
    public Cluster(String name, Accelerator accelerator, int devicesPerNode, int nodes, Link intra, Link inter, Efficiency efficiency,
                   String calibratedOn) {
        this(name, accelerator, devicesPerNode, nodes, intra, inter, efficiency, calibratedOn, Precision.BF16_FP32_GRADS, TrainingStack.MEGATRON);
    }

    /** The same cluster with {@code n} devices per node (e.g. the in-process or MPI ranks sharing one CPU machine). */
    public Cluster withDevicesPerNode(int n) {
        return new Cluster(name, accelerator, n, nodes, intra, inter, efficiency, calibratedOn, precision, stack, rates);
    }

    /**
     * The cluster as a run in {@code p} sees it: with 4-byte activations the matrix units run at the fp32 peak, so that
     * becomes the peak the time model prices (peak16 is the rate of the precision computed in).
     */
    public Cluster computingIn(Precision p) {
        if (p.activationBytes() < 4 || accelerator.peak16() == accelerator.peak32()) return this;
        Accelerator a = new Accelerator(accelerator.name() + " (fp32)", accelerator.peak32(), accelerator.peak32(), accelerator.hbmBytes(),
                accelerator.usableBytes(), accelerator.hbmBandwidth());
        return new Cluster(name, a, devicesPerNode, nodes, intra, inter, efficiency, calibratedOn, precision, stack, rates);
    }

    /** @return all devices */
    public int worldSize() {
        return nodes * devicesPerNode;
    }

    /** @return the same cluster with another node count */
    public Cluster withNodes(int n) {
        return new Cluster(name, accelerator, devicesPerNode, n, intra, inter, efficiency, calibratedOn, precision, stack, rates);
    }

    /** @return the same cluster with other efficiency constants */
    public Cluster withEfficiency(Efficiency e, String source) {
        return new Cluster(name, accelerator, devicesPerNode, nodes, intra, inter, e, source, precision, stack, rates);
    }
}
