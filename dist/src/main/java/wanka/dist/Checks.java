package wanka.dist;

/** Argument checks every backend applies before starting an operation, so both reject the same calls. */
public final class Checks {
    /** Largest tag; MPI guarantees at least this upper bound. */
    public static final int MAX_TAG = 32767;

    private Checks() {}

    public static void allReduce(ProcessGroup g, Span buffer, ReduceOp op) {
        java.util.Objects.requireNonNull(op, "op");
        reducible(g, "allReduce", buffer);
    }

    public static void reduceScatter(ProcessGroup g, Span input, Span output, ReduceOp op) {
        java.util.Objects.requireNonNull(op, "op");
        reducible(g, "reduceScatter", input);
        sameType(g, "reduceScatter", input, output);
        if (input.count() != output.count() * g.size()) {
            throw new IllegalArgumentException(where(g, "reduceScatter") + ": input has " + input.count()
                    + " elements, expected size " + g.size() + " x output " + output.count());
        }
        disjoint(g, "reduceScatter", input, output);
    }

    public static void allGather(ProcessGroup g, Span input, Span output) {
        sameType(g, "allGather", input, output);
        if (output.count() != input.count() * g.size()) {
            throw new IllegalArgumentException(where(g, "allGather") + ": output has " + output.count()
                    + " elements, expected size " + g.size() + " x input " + input.count());
        }
        disjoint(g, "allGather", input, output);
    }

    public static void broadcast(ProcessGroup g, int root) {
        peer(g, "broadcast", "root", root);
    }

    public static void pointToPoint(ProcessGroup g, String op, int peer, int tag) {
        peer(g, op, "peer", peer);
        if (tag < 0 || tag > MAX_TAG) {
            throw new IllegalArgumentException(where(g, op) + ": tag " + tag + " outside 0.." + MAX_TAG);
        }
    }

    public static void color(ProcessGroup g, int color) {
        if (color < 0) {
            throw new IllegalArgumentException(where(g, "split") + ": color " + color + " is negative");
        }
    }

    /** "rank 2 of group 'dp' (4 ranks), allReduce", the prefix of messages. */
    public static String where(ProcessGroup g, String op) {
        return op + " in group '" + g.name() + "' (rank " + g.rank() + " of " + g.size() + ")";
    }

    private static void reducible(ProcessGroup g, String op, Span s) {
        if (!s.type().reducible()) {
            throw new IllegalArgumentException(where(g, op) + ": cannot reduce " + s.type().label() + " elements");
        }
    }

    private static void sameType(ProcessGroup g, String op, Span a, Span b) {
        if (a.type() != b.type()) {
            throw new IllegalArgumentException(where(g, op) + ": input is " + a.type().label() + ", output "
                    + b.type().label());
        }
    }

    private static void disjoint(ProcessGroup g, String op, Span a, Span b) {
        if (a.count() > 0 && b.count() > 0 && a.slice().asOverlappingSlice(b.slice()).isPresent()) {
            throw new IllegalArgumentException(where(g, op) + ": input and output overlap");
        }
    }

    private static void peer(ProcessGroup g, String op, String what, int r) {
        if (r < 0 || r >= g.size()) {
            throw new IllegalArgumentException(where(g, op) + ": " + what + " " + r + " outside 0.." + (g.size() - 1));
        }
    }
}
