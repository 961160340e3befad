package wanka.dist;

/** How {@link ProcessGroup#allReduce} and {@link ProcessGroup#reduceScatter} combine the ranks' values. */
public enum ReduceOp {
    /** Element-wise sum, added in a fixed order (see {@link ProcessGroup} on determinism). */
    SUM,
    /** Element-wise maximum (for example of a finite-gradient flag or a loss scale). */
    MAX
}
