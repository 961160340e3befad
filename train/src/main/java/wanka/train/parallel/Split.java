package wanka.train.parallel;

/**
 * How a TeleChat2 parameter is divided over the tensor-parallel group (Megatron-LM, Shoeybi et al. 2019 §3):
 * column-parallel layers ({@code query}, {@code key_value}, {@code gate_proj}, {@code up_proj}) and the
 * vocabulary-parallel tables ({@code word_embeddings}, {@code lm_head}) split their output rows; row-parallel
 * layers ({@code dense}, {@code down_proj}) split their input columns and add their bias once, after the sum,
 * which here means on tensor-parallel rank 0 only; norms are replicated.
 *
 * <p>{@code key_value} rows are interleaved per kv head ([k_0, v_0, k_1, v_1, …], each head_dim rows;
 * research/telechat2.md §1.2), so a contiguous block of rows is a contiguous block of whole kv heads with both
 * their keys and values: rank k gets kv heads [k·g/t, (k+1)·g/t), exactly the ones its query heads
 * [k·a/t, (k+1)·a/t) attend to under grouped-query attention (a/g query heads per kv head). A [K; V] layout
 * would need two slices instead.
 */
enum Split {
    /** Whole on every rank (RMSNorm weights). */
    REPLICATED,
    /** Rows [k·n/t, (k+1)·n/t) on rank k. */
    ROWS,
    /** Columns [k·n/t, (k+1)·n/t) on rank k. */
    COLUMNS,
    /** Whole on rank 0, a zero placeholder elsewhere (biases of row-parallel layers). */
    FIRST_RANK;

    static Split of(String name) {
        if (name.endsWith("query.weight") || name.endsWith("key_value.weight") || name.endsWith("gate_proj.weight")
                || name.endsWith("up_proj.weight") || name.endsWith("word_embeddings.weight") || name.equals("lm_head.weight")) {
            return ROWS;
        }
        if (name.endsWith("dense.weight") || name.endsWith("down_proj.weight")) return COLUMNS;
        if (name.endsWith("dense.bias") || name.endsWith("down_proj.bias")) return FIRST_RANK;
        return REPLICATED;
    }

    /** The dimension along which the tensor is cut (0 rows, 1 columns), -1 when each rank holds it whole. */
    int dim() {
        return switch (this) {
            case ROWS -> 0;
            case COLUMNS -> 1;
            case REPLICATED, FIRST_RANK -> -1;
        };
    }

    /** The shape of one rank's part of a tensor of shape {@code full} split over {@code t} ranks. */
    int[] partShape(int[] full, int t) {
        int[] s = full.clone();
        if (this == ROWS) s[0] /= t;
        if (this == COLUMNS) s[1] /= t;
        return s;
    }

    /** Whether rank {@code rank}'s part is the one to write out / count in the norm (replicas counted once). */
    boolean owns(int rank) {
        return this == ROWS || this == COLUMNS || rank == 0;
    }

    /** Copies rank {@code rank}'s part of {@code full} (shape {@code shape}) into {@code part[off…]}. */
    void slice(float[] full, int[] shape, int rank, int t, float[] part, int off) {
        switch (this) {
            case REPLICATED -> System.arraycopy(full, 0, part, off, full.length);
            case FIRST_RANK -> {
                if (rank == 0) System.arraycopy(full, 0, part, off, full.length);
            }
            case ROWS -> {
                int n = full.length / t;
                System.arraycopy(full, rank * n, part, off, n);
            }
            case COLUMNS -> {
                int rows = shape[0], cols = shape[1], c = cols / t;
                for (int r = 0; r < rows; r++) System.arraycopy(full, r * cols + rank * c, part, off + r * c, c);
            }
        }
    }

    /** The inverse of {@link #slice}: writes rank {@code rank}'s part into its place in {@code full}. */
    void place(float[] part, int off, int[] shape, int rank, int t, float[] full) {
        switch (this) {
            case REPLICATED, FIRST_RANK -> System.arraycopy(part, off, full, 0, full.length);
            case ROWS -> {
                int n = full.length / t;
                System.arraycopy(part, off, full, rank * n, n);
            }
            case COLUMNS -> {
                int rows = shape[0], cols = shape[1], c = cols / t;
                for (int r = 0; r < rows; r++) System.arraycopy(part, off + r * c, full, r * cols + rank * c, c);
            }
        }
    }
}
