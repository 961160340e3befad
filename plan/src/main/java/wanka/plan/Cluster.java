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
 */
public record Cluster(String name, Accelerator accelerator, int devicesPerNode, int nodes, Link intra, Link inter,
                      Efficiency efficiency, String calibratedOn) {
    public Cluster {
        if (devicesPerNode <= 0) throw new IllegalArgumentException("devices per node must be positive, got " + devicesPerNode);
        if (nodes <= 0) throw new IllegalArgumentException("nodes must be positive, got " + nodes);
    }

    /** @return all devices */
    public int worldSize() {
        return nodes * devicesPerNode;
    }

    /** @return the same cluster with another node count */
    public Cluster withNodes(int n) {
        return new Cluster(name, accelerator, devicesPerNode, n, intra, inter, efficiency, calibratedOn);
    }

    /** @return the same cluster with other efficiency constants */
    public Cluster withEfficiency(Efficiency e, String source) {
        return new Cluster(name, accelerator, devicesPerNode, nodes, intra, inter, e, source);
    }
}
