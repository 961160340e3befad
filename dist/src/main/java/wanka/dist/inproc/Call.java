package wanka.dist.inproc;

import wanka.dist.ReduceOp;
import wanka.dist.Span;

/** What one rank asked for in one collective; all ranks' calls must {@link #matches match}. */
sealed interface Call {
    /** Kind and shape, e.g. "allReduce(float x 1024, SUM)"; equal on every rank for matching calls. */
    String describe();

    default boolean matches(Call other) {
        return describe().equals(other.describe());
    }

    record AllReduce(Span buffer, ReduceOp op) implements Call {
        public String describe() {
            return "allReduce(" + buffer.describe() + ", " + op + ")";
        }
    }

    record ReduceScatter(Span input, Span output, ReduceOp op) implements Call {
        public String describe() {
            return "reduceScatter(" + input.describe() + " -> " + output.describe() + ", " + op + ")";
        }
    }

    record AllGather(Span input, Span output) implements Call {
        public String describe() {
            return "allGather(" + input.describe() + " -> " + output.describe() + ")";
        }
    }

    record Broadcast(Span buffer, int root) implements Call {
        public String describe() {
            return "broadcast(" + buffer.describe() + ", root " + root + ")";
        }
    }

    record Barrier() implements Call {
        public String describe() {
            return "barrier()";
        }
    }

    /** Colors and keys differ between ranks; only the kind must agree. */
    record Split(int color, int key, String name) implements Call {
        public String describe() {
            return "split()";
        }
    }
}
