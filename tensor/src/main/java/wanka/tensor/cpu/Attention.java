package wanka.tensor.cpu;

import java.util.Objects;

/**
 * Causal grouped-query softmax attention on the CPU, forward and backward, FlashAttention-2 style:
 * tiles of queries and keys with an online softmax, so memory stays linear in the sequence length
 * (per-worker tile buffers; never a full score matrix), and key tiles past the causal limit are
 * skipped. The backward pass recomputes the probabilities from Q, K and the forward's log-sum-exp.
 *
 * <p>For query {@code i} of head {@code h}: {@code out = softmax_j(scale * q·k_j) v_j} over keys
 * {@code j <= queryStart + i} of kv head {@code h / (heads / kvHeads)}. Operands are strided (see
 * {@link AttentionOperand}); each head vector's {@code headDim} floats are contiguous.
 *
 * <p>With {@link AttentionSegments} (packed samples) query {@code i} only attends keys
 * {@code start(b, i) <= j <= i}; key tiles before the tile's first segment start are skipped, as past the
 * causal limit.
 *
 * <p>Work split: forward over (sequence, kv head, query tile) with all query heads of a kv head in
 * one tile; backward over (sequence, kv head) pairs, so its parallelism is {@code batch * kvHeads}.
 */
public final class Attention {

    /** Target rows (query x head-in-group pairs) per tile. */
    private static final int ROW_TILE = 64;
    /** Keys per tile. */
    private static final int KEY_TILE = 64;

    private Attention() {
    }

    /**
     * Computes the attention output, and optionally the log-sum-exp of each query's scaled scores.
     *
     * @param pool worker threads
     * @param s    sizes and scale
     * @param q    queries, {@code [batch][queryLen][heads][headDim]} by strides
     * @param k    keys, {@code [batch][keyLen][kvHeads][headDim]} by strides
     * @param v    values, {@code [batch][keyLen][kvHeads][headDim]} by strides
     * @param out  output, same indexing as {@code q}; overwritten
     * @param lse  {@code null}, or an array of at least {@link AttentionShape#lseLength()} floats that
     *             receives {@code ln sum_j exp(scale * q·k_j)} at {@code (b * heads + h) * queryLen + i};
     *             needed by {@link #backward}
     */
    public static void forward(CpuPool pool, AttentionShape s, AttentionOperand q, AttentionOperand k,
                               AttentionOperand v, AttentionOperand out, float[] lse) {
        forward(pool, s, q, k, v, out, lse, null);
    }

    /**
     * {@link #forward(CpuPool, AttentionShape, AttentionOperand, AttentionOperand, AttentionOperand, AttentionOperand, float[])}
     * with segment masking: {@code segments} (null: none) covers {@code batch x keyLen} positions.
     */
    public static void forward(CpuPool pool, AttentionShape s, AttentionOperand q, AttentionOperand k,
                               AttentionOperand v, AttentionOperand out, float[] lse, AttentionSegments segments) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(s, "s");
        checkQueries("q", q, s);
        checkKeys("k", k, s);
        checkKeys("v", v, s);
        checkQueries("out", out, s);
        if (lse != null) checkLse(lse, s);
        checkSegments(segments, s);

        final int group = s.groupSize();
        final int tileQueries = Math.max(1, ROW_TILE / group);
        final int tiles = (s.queryLen() + tileQueries - 1) / tileQueries;
        final int pairs = s.batch() * s.kvHeads();
        pool.parallelFor(tiles * pairs, 1, (from, to) -> {
            AttentionForward worker = new AttentionForward(s, q, k, v, out, lse, segments, tileQueries * group, KEY_TILE);
            for (int t = from; t < to; t++) {
                int tile = balancedOrder(t / pairs, tiles);
                int pair = t % pairs;
                int i0 = tile * tileQueries;
                worker.tile(pair / s.kvHeads(), pair % s.kvHeads(), i0, Math.min(tileQueries, s.queryLen() - i0));
            }
        });
    }

    /**
     * Computes the gradients of a {@link #forward} call. {@code dq}, {@code dk} and {@code dv} are
     * overwritten (keys no query attends get zero); {@code dk} and {@code dv} may be disjoint parts
     * of one interleaved array.
     *
     * @param out  the forward output
     * @param dOut gradient of the loss with respect to {@code out}, same indexing as {@code q}
     * @param lse  the log-sum-exp written by the forward call
     * @param dq   receives the query gradient, same indexing as {@code q}
     * @param dk   receives the key gradient, same indexing as {@code k}
     * @param dv   receives the value gradient, same indexing as {@code v}
     */
    public static void backward(CpuPool pool, AttentionShape s, AttentionOperand q, AttentionOperand k,
                                AttentionOperand v, AttentionOperand out, AttentionOperand dOut, float[] lse,
                                AttentionOperand dq, AttentionOperand dk, AttentionOperand dv) {
        backward(pool, s, q, k, v, out, dOut, lse, dq, dk, dv, null);
    }

    /** {@link #backward} of a segment-masked {@link #forward} call ({@code segments} null: none). */
    public static void backward(CpuPool pool, AttentionShape s, AttentionOperand q, AttentionOperand k,
                                AttentionOperand v, AttentionOperand out, AttentionOperand dOut, float[] lse,
                                AttentionOperand dq, AttentionOperand dk, AttentionOperand dv, AttentionSegments segments) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(s, "s");
        checkQueries("q", q, s);
        checkKeys("k", k, s);
        checkKeys("v", v, s);
        checkQueries("out", out, s);
        checkQueries("dOut", dOut, s);
        Objects.requireNonNull(lse, "lse");
        checkLse(lse, s);
        checkQueries("dq", dq, s);
        checkKeys("dk", dk, s);
        checkKeys("dv", dv, s);
        checkSegments(segments, s);

        final int group = s.groupSize();
        final int tileQueries = Math.max(1, ROW_TILE / group);
        pool.parallelFor(s.batch() * s.kvHeads(), 1, (from, to) -> {
            AttentionBackward worker = new AttentionBackward(s, q, k, v, out, dOut, lse, dq, dk, dv, segments,
                    tileQueries * group, KEY_TILE);
            for (int t = from; t < to; t++) worker.pair(t / s.kvHeads(), t % s.kvHeads(), tileQueries);
        });
    }

    /** Visits tiles as 0, n-1, 1, n-2, ... so contiguous ranges of tasks get similar causal work. */
    private static int balancedOrder(int t, int n) {
        return (t & 1) == 0 ? t >> 1 : n - 1 - (t >> 1);
    }

    private static void checkQueries(String name, AttentionOperand o, AttentionShape s) {
        Objects.requireNonNull(o, name);
        o.checkFits(name, s.batch(), s.queryLen(), s.heads(), s.headDim());
    }

    private static void checkKeys(String name, AttentionOperand o, AttentionShape s) {
        Objects.requireNonNull(o, name);
        o.checkFits(name, s.batch(), s.keyLen(), s.kvHeads(), s.headDim());
    }

    private static void checkSegments(AttentionSegments seg, AttentionShape s) {
        if (seg != null && (seg.batch() != s.batch() || seg.length() != s.keyLen())) {
            throw new IllegalArgumentException("segments cover " + seg.batch() + "x" + seg.length() + " positions, attention has "
                    + s.batch() + "x" + s.keyLen());
        }
    }

    private static void checkLse(float[] lse, AttentionShape s) {
        if (lse.length < s.lseLength()) {
            throw new IllegalArgumentException("lse has length " + lse.length + " but needs " + s.lseLength());
        }
    }
}
