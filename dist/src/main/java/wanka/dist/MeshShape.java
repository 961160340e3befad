package wanka.dist;

import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of a tp × dp × pp layout of ranks and its rank order, Megatron-LM's default ({@code order =
 * "tp-cp-ep-dp-pp"} with cp = ep = 1): tensor-parallel rank varies fastest, then data-parallel, then
 * pipeline, i.e. {@code rank = tp + dp·TP + pp·TP·DP}. Tensor-parallel peers are thus neighbours (on one node,
 * where the bandwidth is) and pipeline stages are furthest apart.
 */
public record MeshShape(int tp, int dp, int pp) {
    /** One axis of the mesh. */
    public enum Dim { TP, DP, PP }

    /** A rank's position on each axis. */
    public record Coord(int tp, int dp, int pp) {
        public int get(Dim d) {
            return switch (d) {
                case TP -> tp;
                case DP -> dp;
                case PP -> pp;
            };
        }
    }

    public MeshShape {
        if (tp < 1 || dp < 1 || pp < 1) {
            throw new IllegalArgumentException("mesh sizes must be >= 1, got tp=" + tp + " dp=" + dp + " pp=" + pp);
        }
    }

    public int worldSize() {
        return tp * dp * pp;
    }

    public int size(Dim d) {
        return switch (d) {
            case TP -> tp;
            case DP -> dp;
            case PP -> pp;
        };
    }

    public Coord coord(int rank) {
        if (rank < 0 || rank >= worldSize()) {
            throw new IllegalArgumentException("rank " + rank + " outside a mesh of " + worldSize());
        }
        return new Coord(rank % tp, rank / tp % dp, rank / (tp * dp));
    }

    public int rank(Coord c) {
        return c.tp() + c.dp() * tp + c.pp() * tp * dp;
    }

    /**
     * Which group of axis {@code d} a rank belongs to: its coordinates on the other two axes, combined in the
     * same order (the faster axis first), so groups are numbered as Megatron's {@code RankGenerator} lists them.
     */
    public int groupIndex(Dim d, Coord c) {
        return switch (d) {
            case TP -> c.dp() + c.pp() * dp;
            case DP -> c.tp() + c.pp() * tp;
            case PP -> c.tp() + c.dp() * tp;
        };
    }

    /** Every group of axis {@code d}, in group-index order, each listing world ranks in ascending order. */
    public List<List<Integer>> groups(Dim d) {
        List<List<Integer>> groups = new ArrayList<>();
        for (int g = 0; g < worldSize() / size(d); g++) {
            groups.add(new ArrayList<>());
        }
        for (int r = 0; r < worldSize(); r++) {
            groups.get(groupIndex(d, coord(r))).add(r);
        }
        return groups.stream().map(List::copyOf).toList();
    }

    @Override
    public String toString() {
        return "tp" + tp + " x dp" + dp + " x pp" + pp;
    }
}
