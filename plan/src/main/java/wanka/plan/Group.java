package wanka.plan;

/**
 * A communication group as placed on the cluster: {@code size} ranks, {@code perNode} of them on each node they
 * touch. A group with perNode = size stays inside a node; perNode = 1 has one rank per node.
 */
public record Group(int size, int perNode) {
    public Group {
        if (size <= 0 || perNode <= 0 || perNode > size || size % perNode != 0) {
            throw new IllegalArgumentException("group of " + size + " ranks cannot have " + perNode + " per node");
        }
    }

    /** @return nodes the group spans */
    public int nodes() {
        return size / perNode;
    }

    /** The group of ranks {@code stride} apart, {@code size} of them, on nodes of {@code devicesPerNode} (Megatron order). */
    public static Group strided(int size, int stride, int devicesPerNode) {
        if (size == 1) return new Group(1, 1);
        int perNode;
        if (stride >= devicesPerNode) perNode = 1;
        else perNode = Math.min(size, Math.max(1, devicesPerNode / stride));
        while (size % perNode != 0) perNode--;
        return new Group(size, perNode);
    }
}
