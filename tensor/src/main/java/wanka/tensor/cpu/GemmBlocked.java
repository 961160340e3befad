package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.MR;
import static wanka.tensor.cpu.GemmKernel.NR;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packed, cache-blocked GEMM (GotoBLAS/BLIS loop order). For each {@link #NC}-column block and
 * {@link #KC}-deep slice, the threads together pack a KC×NC block of op(B) once into a shared buffer
 * (kept in L2/L3); then they claim work items dynamically (so a busy core does not hold the others
 * up): each item packs an MC×KC block of op(A) into the worker's own buffer (kept in L2) and sweeps a
 * range of B micro-panels with the micro-kernel, whose KC×NR B micro-panel stays in L1.
 */
final class GemmBlocked {

    /** Depth of one packed slice (k). */
    static final int KC = 256;
    /** Largest number of rows in one packed A block. */
    static final int MC = 24 * MR;
    /** Columns of one packed B block. */
    static final int NC = 128 * NR;
    /** Work items wanted per thread in each slice, for load balance. */
    private static final int ITEMS_PER_THREAD = 4;

    private GemmBlocked() {
    }

    /**
     * Computes {@code C = alpha*op(A)op(B) + beta*C} for the whole m×n C, {@code k >= 1}, on
     * {@code threads} workers of {@code pool} (1: the calling thread only).
     */
    static void compute(CpuPool pool, int threads, GemmArgs g, int m, int n, int k) {
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC, roundUp(n, NR));
        // Row blocks: at most MC rows, and small enough that every thread gets several items.
        int mc = threads == 1 ? MC : Math.min(MC, roundUp(ceilDiv(m, ITEMS_PER_THREAD * threads), MR));
        int mBlocks = ceilDiv(m, mc);
        float[] bp = new float[kcMax * ncMax];
        float[][] aps = new float[threads][];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = ceilDiv(nc, NR);
            // Thin C: also split the columns so that there are enough items to go round.
            int nSplit = Math.min(nPanels, ceilDiv(ITEMS_PER_THREAD * threads, mBlocks));
            int panelsPerItem = ceilDiv(nPanels, nSplit);
            int itemsPerRow = ceilDiv(nPanels, panelsPerItem);
            int items = mBlocks * itemsPerRow;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float beta = pc == 0 ? g.beta() : 1f;
                int j0 = jc, p0 = pc;
                Runnable packB = () -> GemmPack.packB(g, p0, kc, j0, nc, bp, 0);
                if (threads == 1) {
                    packB.run();
                } else {
                    pool.parallelFor(nPanels, 1, (u0, u1) ->
                            GemmPack.packB(g, p0, kc, j0 + u0 * NR, Math.min(nc, u1 * NR) - u0 * NR, bp, u0 * NR * kc));
                }
                AtomicInteger next = new AtomicInteger();
                CpuPool.RangeBody worker = (w, wEnd) -> {
                    if (aps[w] == null) aps[w] = new float[kcMax * Math.min(mc, roundUp(m, MR))];
                    float[] ap = aps[w];
                    float[] tile = new float[MR * NR];
                    int packedBlock = -1;
                    for (int item; (item = next.getAndIncrement()) < items; ) {
                        int block = item / itemsPerRow;
                        int ic = block * mc, rows = Math.min(mc, m - ic);
                        if (block != packedBlock) {
                            GemmPack.packA(g, ic, rows, p0, kc, ap);
                            packedBlock = block;
                        }
                        int jr0 = (item % itemsPerRow) * panelsPerItem * NR;
                        int jr1 = Math.min(nc, jr0 + panelsPerItem * NR);
                        sweep(g, ap, rows, ic, bp, kc, j0, jr0, jr1, beta, tile);
                    }
                };
                if (threads == 1) worker.run(0, 1);
                else pool.parallelFor(threads, 1, worker);
            }
        }
    }

    /**
     * Runs the micro-kernel over the packed A block (rows {@code ic ...}) and the B micro-panels
     * {@code [jr0, jr1)} of the packed B block starting at column {@code jc}.
     */
    private static void sweep(GemmArgs g, float[] ap, int rows, int ic, float[] bp, int kc, int jc,
                              int jr0, int jr1, float beta, float[] tile) {
        float[] c = g.c();
        int ldc = g.ldc();
        for (int jr = jr0; jr < jr1; jr += NR) {
            int nr = Math.min(NR, jr1 - jr);
            int cCol = g.cOff() + jc + jr;
            for (int ir = 0; ir < rows; ir += MR) {
                GemmKernel.tile(kc, ap, ir * kc, bp, jr * kc, tile);
                GemmKernel.merge(tile, Math.min(MR, rows - ir), nr, g.alpha(), beta, c, cCol + (ic + ir) * ldc, ldc);
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
