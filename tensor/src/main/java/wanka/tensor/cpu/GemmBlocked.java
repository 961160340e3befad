package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.MR;
import static wanka.tensor.cpu.GemmKernel.NR;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The packed, cache-blocked GEMM (GotoBLAS/BLIS loop order).
 *
 * <p>With several threads and C long enough to give each at least {@link #MIN_PANELS_PER_THREAD} micro-panels
 * along its longer side, C is cut there and each worker runs the one-thread algorithm on its own part
 * ({@link #computeSplit}). Otherwise (many threads on a small C) the workers share each slice's work as follows.
 *
 * <p>For each {@link #NC}-column block and {@link #KC}-deep slice, the threads together pack a KC×NC block of op(B)
 * once into a shared buffer (kept in L2/L3), {@link #B_CHUNK} panels per claim; then they claim work items (so a busy core does not
 * hold the others up): each item packs a block of at most about {@link #MC} rows of op(A) into the worker's
 * own buffer (kept in L2) and sweeps a range of B micro-panels with the micro-kernel, whose KC×NR B
 * micro-panel stays in L1. With 16-float vectors, A not transposed is not packed: the micro-kernel reads its rows in
 * place ({@link #A_IN_PLACE}).
 *
 * <p>Each worker owns a contiguous share of each slice's items, the same share in every slice, and claims
 * from it first; only then does it take items left in the other shares. So in the steady state a core
 * accumulates into the same rows of C and reads the same rows of A slice after slice (they stay in its
 * own caches), and the items of one A block (column ranges of thin C) stay on one core, which packs
 * the block once; a late or busy worker's items are still taken by the others.
 *
 * <p>The whole call is one parallel region ({@link CpuPool#parallelFor} costs tens of microseconds,
 * as much as a slice of a thin problem): the workers step through the slices together, handing over
 * with short spin-waits (then blocking) on per-slice counters (B packed before it is read; every item of a slice done
 * before the shared B buffer is overwritten and before C is accumulated again). A worker only ever
 * waits for work another worker has already claimed, so a worker that starts late (or never) cannot
 * stall the others, and a region run inline on one thread does all the work itself.
 *
 * <p>Row blocks and column ranges are cut in whole micro-panels with sizes differing by at most one
 * panel, and their count is a multiple of the thread count, so the threads get equal work. The
 * result does not depend on how the work is cut or who claims it: every element of C is the same
 * sequence of KC-deep tile sums merged in slice order.
 */
final class GemmBlocked {

    /** Depth of one packed slice (k). Fixed: it decides the order of the sums. */
    static final int KC = 256;
    /** Usual largest number of rows in one packed A block (whole panels). */
    static final int MC = 144 / MR * MR;
    /** Columns of one packed B block. */
    static final int NC = 128 * NR;
    /** Work items wanted per thread in each slice, for load balance. */
    static final int ITEMS_PER_THREAD = 4;
    /**
     * B micro-panels packed per claim when the workers share a slice: per step of k a stretch of NR·B_CHUNK floats
     * of a stored row (B not transposed) is read in one go, and a 2-thread call still splits the packing of 8 or more
     * panels. One thread packs whole stored rows (1–2 % faster TN calls on AVX2).
     */
    static final int B_CHUNK = 4;

    /**
     * Row blocks of transposed A packed together on one thread: per step of k the packing reads a stretch of up to
     * A_GROUP·MC floats of a stored row instead of MC (a 1376×512×2048 TN call spent 11–13 % of its time packing A
     * in 576-byte pieces 5.5 KB apart). Four blocks (a 590 KB packed group on AVX-512, inside a 1 MB L2) rather than
     * eight (1.2 MB): 32000×512×2048 TN calls 1–3 % faster in median, 1376- and 512-row TN calls within ±2 % (1 and
     * 2 threads, both builds alternating in one JVM, AVX-512); one block at a time was 7 % slower on 512×512×2048 on
     * one thread.
     */
    static final int A_GROUP = 4;

    /**
     * Whether A not transposed is read in place by the micro-kernel ({@link GemmKernel#tileRows}) instead of being packed:
     * with 16-float vectors (AVX-512) only. There the packing pass cost 3–11 % of a call (switched off in a diagnostic
     * build) and reading the rows in place costs less: both builds alternating in one JVM (best of 10–12 calls, one
     * thread, 2026-12-03) gave NT 2048×512×512 +6–9 %, NN 2048×512×1376 +6 %, NT 2048×512×1376 +6 %, NT 2048×256×512 +4–6 %,
     * NN 2048×512×32000 +5 %, the other training shapes −2 to +2 %, two threads +5–10 %. With 8-float vectors the tile read in place
     * ran 2.2× slower (47 against 104 GFLOP/s: the compiler-only fences that keep the packed tile within the 16 registers
     * do not hold there), and with 4 lanes it gained nothing (±2 %); both pack.
     */
    static final boolean A_IN_PLACE = GemmKernel.VL == 16 && GemmKernel.MR == 6;

    /**
     * Rows of A this many floats apart (a multiple of 4 KiB) are packed even where {@link #A_IN_PLACE}: a tile's six rows
     * would then share one L1 set (and an A block's rows a few L2 sets), NN 2048×2048×2048 ran 2 % slower in place.
     */
    static final int ALIASING_LDA = 1024;

    /** Fewest micro-panels per worker for cutting C between the workers ({@link #computeSplit}). */
    static final int MIN_PANELS_PER_THREAD = 4;

    // Counters per slice in {@code ctr}: B chunks claimed, B chunks packed, items done, then per worker the
    // items claimed from its share.

    /** How long a waiting worker spins before it blocks. */
    private static final long SPIN_NANOS = 30_000;
    private static final int PACK_NEXT = 0, PACK_DONE = 1, ITEM_DONE = 2, SHARE_NEXT = 3;

    private GemmBlocked() {
    }

    /**
     * How a slice's m×nc block of C is cut into items: {@code mBlocks} row blocks times
     * {@code nSplit} column ranges, each a whole number of micro-panels.
     */
    record Grid(int mBlocks, int nSplit, int mPanels, int nPanels) {
        int items() {
            return mBlocks * nSplit;
        }

        /** First row of row block {@code b} (b may be mBlocks: the end), before clamping to m. */
        int rowStart(int b) {
            return MR * (int) ((long) b * mPanels / mBlocks);
        }

        /** First column (relative to the block) of column range {@code s} (s may be nSplit), before clamping. */
        int colStart(int s) {
            return NR * (int) ((long) s * nPanels / nSplit);
        }

        /** Rows of the largest row block, rounded up to whole panels. */
        int maxBlockRows() {
            return MR * GemmBlocked.ceilDiv(mPanels, mBlocks);
        }
    }

    /** The item grid for an m×nc block of C on {@code threads} workers. */
    static Grid grid(int m, int nc, int threads) {
        int mPanels = ceilDiv(m, MR), nPanels = ceilDiv(nc, NR);
        int mBlocks = ceilDiv(m, MC);
        if (threads > 1) {
            // Row blocks stay about MC rows (their count rounded up to a multiple of the threads): a thinner block
            // reuses each B micro-panel for fewer A panels and packs its A in shorter stretches (a 256×512×2048 TN
            // call cut into 32-row blocks spent 20 % more CPU time than on one thread). The other items come from
            // splitting the columns; a worker's share holds whole row blocks, so it packs each A block once.
            int want = ITEMS_PER_THREAD * threads;
            mBlocks = Math.min(mPanels, roundUp(mBlocks, threads));
            // Thin C: also split the columns so that there are enough items to go round.
            int nSplit = Math.min(nPanels, ceilDiv(want, mBlocks));
            if (nSplit > 1 && (mBlocks * nSplit) % threads != 0 && nSplit < nPanels) nSplit++;
            return new Grid(mBlocks, nSplit, mPanels, nPanels);
        }
        return new Grid(mBlocks, 1, mPanels, nPanels);
    }

    /**
     * Computes {@code C = alpha*op(A)op(B) + beta*C} for the whole m×n C, {@code k >= 1}, on
     * {@code threads} workers of {@code pool} (1: the calling thread only).
     */
    static void compute(CpuPool pool, int threads, GemmArgs g, int m, int n, int k) {
        if (threads > 1 && splits(m, n, threads)) {
            computeSplit(pool, threads, g, m > n, m, n, k);
            return;
        }
        int kSlices = ceilDiv(k, KC), nBlocks = ceilDiv(n, NC);
        int slices = kSlices * nBlocks;
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC, roundUp(n, NR));
        float[] bp = new float[GemmPack.bPanelStride(kcMax) * (ncMax / NR)];
        Grid full = grid(m, Math.min(NC, n), threads);
        Grid last = grid(m, n - (nBlocks - 1) * NC, threads);
        // One thread packs transposed A for A_GROUP row blocks at once: per step of k one longer stretch of a stored row.
        int aGroup = threads == 1 && g.transA() ? A_GROUP : 1;
        int groupBlocks = Math.min(aGroup, Math.max(full.mBlocks(), last.mBlocks()));
        boolean inPlace = readsAInPlace(g);
        // A read in place: only a block's partial last panel is packed, at the buffer's start.
        int apLen = GemmPack.aPanelStride(kcMax) * (inPlace ? 1 : (Math.max(full.maxBlockRows(), last.maxBlockRows()) / MR) * groupBlocks);
        int counters = SHARE_NEXT + threads;
        Counters ctr = new Counters(counters * slices);
        CpuPool.RangeBody worker = (w0, w1) -> {
            int w = w0; // this worker's share (0 when the region runs inline: that worker takes every share)
            try {
                float[] ap = new float[apLen];
                float[] tile = new float[MR * NR];
                for (int s = 0; s < slices; s++) {
                    int jc = (s / kSlices) * NC, pc = (s % kSlices) * KC;
                    int nc = Math.min(NC, n - jc), kc = Math.min(KC, k - pc);
                    Grid grid = jc + NC < n ? full : last;
                    int base = counters * s;
                    // 1. Pack this slice's B block, B_CHUNK micro-panels per claim.
                    int bChunk = threads == 1 ? grid.nPanels() : B_CHUNK; // one thread: whole stored rows
                    int chunks = ceilDiv(grid.nPanels(), bChunk), chunkCols = bChunk * NR;
                    for (int u; (u = ctr.claim(base + PACK_NEXT)) < chunks; ) {
                        int jr = u * chunkCols;
                        GemmPack.packB(g, pc, kc, jc + jr, Math.min(chunkCols, nc - jr), bp, u * bChunk * GemmPack.bPanelStride(kc));
                        ctr.done(base + PACK_DONE, chunks);
                    }
                    ctr.await(base + PACK_DONE, chunks);
                    // 2. Claim items (a row block times a range of column panels): this worker's share, then the others'.
                    float beta = pc == 0 ? g.beta() : 1f;
                    int items = grid.items(), nSplit = grid.nSplit();
                    int packedGroup = -1, groupRow0 = 0;
                    for (int o = 0; o < threads; o++) {
                        int share = (w + o) % threads;
                        int first = (int) ((long) items * share / threads), end = (int) ((long) items * (share + 1) / threads);
                        for (int item; (item = first + ctr.claim(base + SHARE_NEXT + share)) < end; ) {
                            int block = item / nSplit, split = item % nSplit;
                            int ic = grid.rowStart(block), rows = Math.min(m, grid.rowStart(block + 1)) - ic;
                            if (block / aGroup != packedGroup) { // pack this block's group of row blocks
                                packedGroup = block / aGroup;
                                int gb = packedGroup * aGroup, ge = Math.min(grid.mBlocks(), gb + aGroup);
                                groupRow0 = grid.rowStart(gb);
                                if (inPlace) { // only a partial last panel, at the buffer's start (rows past m read as zeros)
                                    int whole = rows - rows % MR;
                                    if (whole < rows) GemmPack.packA(g, ic + whole, rows - whole, pc, kc, ap);
                                } else {
                                    GemmPack.packA(g, groupRow0, Math.min(m, grid.rowStart(ge)) - groupRow0, pc, kc, ap);
                                }
                            }
                            int aBase = (ic - groupRow0) / MR * GemmPack.aPanelStride(kc);
                            int jr0 = grid.colStart(split), jr1 = Math.min(nc, grid.colStart(split + 1));
                            sweep(g, inPlace ? pc : -1, ap, aBase, rows, ic, bp, kc, jc, jr0, jr1, beta, tile);
                            ctr.done(base + ITEM_DONE, items);
                        }
                    }
                    // 3. Before B is repacked and C accumulated again, every item of this slice must be done.
                    if (s + 1 < slices) {
                        ctr.await(base + ITEM_DONE, items);
                    }
                }
            } catch (Throwable t) {
                ctr.fail(); // the other workers must not wait for work this one will never finish
                throw t;
            }
        };
        if (threads == 1) worker.run(0, 1);
        else pool.parallelFor(threads, 1, worker);
    }

    /** Whether the micro-kernel reads op(A) in place rather than packed ({@link #A_IN_PLACE}, {@link #ALIASING_LDA}). */
    static boolean readsAInPlace(GemmArgs g) {
        return A_IN_PLACE && !g.transA() && g.lda() % ALIASING_LDA != 0;
    }

    /** Whether a call on {@code threads > 1} workers cuts C between them ({@link #computeSplit}) instead of sharing slices. */
    static boolean splits(int m, int n, int threads) {
        return m > n ? ceilDiv(m, MR) >= MIN_PANELS_PER_THREAD * threads : ceilDiv(n, NR) >= MIN_PANELS_PER_THREAD * threads;
    }

    /**
     * Cuts C along its longer side into one range of whole micro-panels per worker, and each worker computes its
     * range as a one-thread call: it packs its own rows of A (or columns of B) and all of the other, smaller operand.
     * Duplicating that packing costs about {@code threads / max(m, n)} of the work; in exchange no packed data
     * crosses cores and no worker waits for another during the call. Sharing the packed B block (the other road,
     * {@link #compute}'s slices) cost a 256×512×2048 TN call 20–35 % of its CPU time on two threads, in the packing
     * (writing lines the other core had just read) and the per-slice hand-overs. Each element of C is computed
     * exactly as in the one-thread call (same slices, same tile), so the result does not depend on the threads.
     */
    private static void computeSplit(CpuPool pool, int threads, GemmArgs g, boolean byRows, int m, int n, int k) {
        int unit = byRows ? MR : NR, len = byRows ? m : n, panels = ceilDiv(len, unit);
        pool.parallelFor(threads, 1, (w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int from = unit * (int) ((long) w * panels / threads);
                int to = Math.min(len, unit * (int) ((long) (w + 1) * panels / threads));
                if (to <= from) continue;
                if (byRows) compute(pool, 1, g.fromRow(from), to - from, n, k);
                else compute(pool, 1, g.fromColumn(from), m, to - from, k);
            }
        });
    }

    /**
     * The per-slice counters of one call, and the hand-over between its workers: a worker that
     * needs a counter to reach a target spins for up to {@link #SPIN_NANOS} (the other workers are
     * finishing items they claimed), then blocks so that its core is free for them; the worker whose
     * increment reaches the target wakes the blocked ones.
     */
    private static final class Counters {
        private final AtomicIntegerArray ctr;
        private final AtomicInteger sleepers = new AtomicInteger();
        private volatile boolean failed;

        Counters(int n) {
            ctr = new AtomicIntegerArray(n);
        }

        int claim(int i) {
            return ctr.getAndIncrement(i);
        }

        /** Counts one unit done; wakes blocked workers when the count reaches {@code target}. */
        void done(int i, int target) {
            if (ctr.incrementAndGet(i) == target && sleepers.get() > 0) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        /** A worker threw: the waiting ones give up (the exception reaches the caller through the pool). */
        void fail() {
            failed = true;
            synchronized (this) {
                notifyAll();
            }
        }

        void await(int i, int target) {
            if (ctr.get(i) >= target) return;
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (ctr.get(i) < target) {
                if (failed) throw new IllegalStateException("another GEMM worker failed");
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                    continue;
                }
                sleepers.incrementAndGet();
                try {
                    synchronized (this) {
                        while (ctr.get(i) < target && !failed) wait(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for GEMM workers", e);
                } finally {
                    sleepers.decrementAndGet();
                }
            }
        }
    }

    /**
     * Runs the micro-kernel over the A block (rows {@code ic ...}; packed, its first panel at {@code ap[aBase]}, or with
     * {@code aInPlaceFrom >= 0} read in place from column {@code aInPlaceFrom} of op(A), only a partial last panel
     * packed) and the B micro-panels {@code [jr0, jr1)} of the packed B block starting at column {@code jc}.
     */
    private static void sweep(GemmArgs g, int aInPlaceFrom, float[] ap, int aBase, int rows, int ic, float[] bp, int kc, int jc,
                              int jr0, int jr1, float beta, float[] tile) {
        float[] c = g.c(), a = g.a();
        int ldc = g.ldc(), lda = g.lda();
        int aStride = GemmPack.aPanelStride(kc), bStride = GemmPack.bPanelStride(kc);
        for (int jr = jr0; jr < jr1; jr += NR) {
            int nr = Math.min(NR, jr1 - jr);
            int cCol = g.cOff() + jc + jr;
            int bOff = (jr / NR) * bStride;
            for (int ir = 0, aOff = aBase; ir < rows; ir += MR, aOff += aStride) {
                int cAt = cCol + (ic + ir) * ldc;
                if (aInPlaceFrom >= 0 && ir + MR <= rows) { // A's rows read in place
                    int aAt = g.aOff() + (ic + ir) * lda + aInPlaceFrom;
                    if (nr == NR) {
                        GemmKernel.tileRows(kc, a, aAt, lda, bp, bOff, g.alpha(), beta, c, cAt, ldc);
                    } else {
                        GemmKernel.tileRows(kc, a, aAt, lda, bp, bOff, 1f, 0f, tile, 0, NR);
                        GemmKernel.merge(tile, MR, nr, g.alpha(), beta, c, cAt, ldc);
                    }
                } else if (nr == NR && ir + MR <= rows) { // a whole tile: written from the registers
                    GemmKernel.tile(kc, ap, aOff, bp, bOff, g.alpha(), beta, c, cAt, ldc);
                } else { // an edge tile: through the buffer, only its corner reaches C (A in place: its one packed panel)
                    GemmKernel.tile(kc, ap, aInPlaceFrom >= 0 ? aBase : aOff, bp, bOff, 1f, 0f, tile, 0, NR);
                    GemmKernel.merge(tile, Math.min(MR, rows - ir), nr, g.alpha(), beta, c, cAt, ldc);
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return ceilDiv(x, unit) * unit;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
