package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.MR;
import static wanka.tensor.cpu.GemmKernel.NR;

/**
 * The packed, cache-blocked GEMM (GotoBLAS/BLIS loop order) computing one rectangle of C on the
 * calling thread: for each {@link #NC}-column block and {@link #KC}-deep slice, a KC×NC block of
 * op(B) is packed (kept in L2/L3), then for each {@link #MC}-row block an MC×KC block of op(A) is
 * packed (kept in L2) and swept by the micro-kernel, whose KC×NR B micro-panel stays in L1.
 */
final class GemmBlocked {

    /** Depth of one packed slice (k). */
    static final int KC = 256;
    /** Rows of one packed A block. */
    static final int MC = 24 * MR;
    /** Columns of one packed B block. */
    static final int NC = 128 * NR;

    private GemmBlocked() {
    }

    /** Computes {@code C[i0:i1, j0:j1] = alpha*op(A)op(B) + beta*C} over the full depth {@code k >= 1}. */
    static void compute(GemmArgs g, int i0, int i1, int j0, int j1, int k) {
        int m = i1 - i0, n = j1 - j0;
        if (m <= 0 || n <= 0) return;
        int kcMax = Math.min(KC, k);
        float[] bp = new float[kcMax * Math.min(NC, roundUp(n, NR))];
        float[] ap = new float[kcMax * Math.min(MC, roundUp(m, MR))];
        float[] tile = new float[MR * NR];
        float[] c = g.c();
        int ldc = g.ldc();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float beta = pc == 0 ? g.beta() : 1f;
                GemmPack.packB(g, pc, kc, j0 + jc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    GemmPack.packA(g, i0 + ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int cCol = g.cOff() + j0 + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR) {
                            GemmKernel.tile(kc, ap, ir * kc, bp, jr * kc, tile);
                            GemmKernel.merge(tile, Math.min(MR, mc - ir), nr, g.alpha(), beta,
                                    c, cCol + (i0 + ic + ir) * ldc, ldc);
                        }
                    }
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }
}
