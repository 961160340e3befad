package wanka.dist;

/**
 * This rank's place in a tp × dp × pp layout and its three groups, built from the world group by
 * {@link ProcessGroup#split} in Megatron's rank order ({@link MeshShape}). Within each group, ranks are ordered
 * by world rank, so a group rank equals the coordinate on that axis. Building it is a collective: every rank of
 * {@code world} calls {@link #create} with the same shape.
 */
public record DeviceMesh(MeshShape shape, MeshShape.Coord coord, ProcessGroup world, ProcessGroup tp,
        ProcessGroup dp, ProcessGroup pp) {

    public static DeviceMesh create(ProcessGroup world, MeshShape shape) {
        if (world.size() != shape.worldSize()) {
            throw new IllegalArgumentException("mesh " + shape + " needs " + shape.worldSize() + " ranks, group '"
                    + world.name() + "' has " + world.size());
        }
        MeshShape.Coord c = shape.coord(world.rank());
        ProcessGroup tp = world.split(shape.groupIndex(MeshShape.Dim.TP, c), world.rank(), "tp");
        ProcessGroup dp = world.split(shape.groupIndex(MeshShape.Dim.DP, c), world.rank(), "dp");
        ProcessGroup pp = world.split(shape.groupIndex(MeshShape.Dim.PP, c), world.rank(), "pp");
        return new DeviceMesh(shape, c, world, tp, dp, pp);
    }

    public ProcessGroup group(MeshShape.Dim d) {
        return switch (d) {
            case TP -> tp;
            case DP -> dp;
            case PP -> pp;
        };
    }
}
