package wanka.tensor.cpu;

import java.lang.invoke.VarHandle;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernel of the packed GEMM: an {@link #MR}×{@link #NR} tile of C is held in
 * vector registers (explicit locals: an array of vectors would be boxed) while it accumulates the
 * product of an A micro-panel ({@code MR} floats per step of k) and a B micro-panel ({@code NR}
 * floats per step of k), both packed contiguously by {@link GemmPack}.
 *
 * <p>The tile is 6×(2 vectors): 12 accumulators, enough independent FMA chains to fill the FMA pipes (on Zen 5 eight
 * chains reach 88 % of their peak, ten or more reach it). C2 schedules every A broadcast of a step ahead of the FMAs
 * that use it, so a step would hold {@code 12 accumulators + 2 B vectors + 6 broadcasts = 20} registers live. With
 * 16 or 32 lanes (AVX-512: 32 zmm; NEON: 32 registers) that fits. With 8 lanes (AVX2: 16 ymm) C2 would keep an
 * accumulator on the stack, and the store/reload chain through memory halves the kernel's speed; so there
 * ({@link #FENCED}) each step is cut after every row by {@link VarHandle#loadLoadFence()}: on x86 the fence emits no
 * instruction, but C2 does not move a later broadcast above it, so at most 12 + 2 + 1 = 15 registers are live and the
 * 31-instruction loop keeps every accumulator in a register (seen in the disassembly; fences after the second and
 * fourth rows only leave 16 live, no register spare, and ran as fast). L1-resident, one thread, AVX2 on Zen 5
 * (2026-12-03, against the 118 GFLOP/s of {@code wanka bench fma}): this 6×16 tile 111–115 GFLOP/s, the 5×16 tile
 * fenced once used before 105; over an A block in L2 and C in memory 110–111 against 106.
 */
final class GemmKernel {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int VL = S.length();
    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * VL;
    /** Whether each step of the tile is cut by compiler-only fences (8 lanes: 16 registers on AVX2; see the class comment). */
    static final boolean FENCED = VL == 8;

    private GemmKernel() {
    }

    /**
     * Computes the {@code MR×NR} tile {@code T = sum_p A[:,p] B[p,:]} over {@code kc} steps and writes
     * {@code C = alpha*T + beta*C} (C not read when {@code beta == 0}) for the whole tile: rows {@code r} at
     * {@code c[cOff + r*ldc ...]}, NR floats each, straight from the registers. {@code ap} holds MR floats per
     * step from {@code aOff}, {@code bp} NR floats per step from {@code bOff}. For a partial tile at the edge of
     * C, pass a tile buffer ({@code alpha = 1, beta = 0, ldc = NR}) and {@link #merge} its corner: the same
     * operations in the same order, so the same bits.
     */
    static void tile(int kc, float[] ap, int aOff, float[] bp, int bOff, float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        // The epilogue is written out: a helper taking a vector is a call C2 may leave out of line, and then boxes it.
        if (alpha != 1f) {
            c00 = c00.mul(alpha);
            c01 = c01.mul(alpha);
            c10 = c10.mul(alpha);
            c11 = c11.mul(alpha);
            c20 = c20.mul(alpha);
            c21 = c21.mul(alpha);
            c30 = c30.mul(alpha);
            c31 = c31.mul(alpha);
            c40 = c40.mul(alpha);
            c41 = c41.mul(alpha);
            c50 = c50.mul(alpha);
            c51 = c51.mul(alpha);
        }
        if (beta != 0f) {
            FloatVector bv = FloatVector.broadcast(S, beta);
            c00 = FloatVector.fromArray(S, c, cOff).fma(bv, c00);
            c01 = FloatVector.fromArray(S, c, cOff + VL).fma(bv, c01);
            c10 = FloatVector.fromArray(S, c, cOff + ldc).fma(bv, c10);
            c11 = FloatVector.fromArray(S, c, cOff + ldc + VL).fma(bv, c11);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc).fma(bv, c20);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + VL).fma(bv, c21);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc).fma(bv, c30);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + VL).fma(bv, c31);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc).fma(bv, c40);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + VL).fma(bv, c41);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc).fma(bv, c50);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + VL).fma(bv, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + VL);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + VL);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + VL);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + VL);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + VL);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + VL);
    }

    /**
     * The tile on A read in place: row {@code r} of op(A) (not transposed) at {@code a[aAt + r*lda ...]}, one float
     * per step, instead of a packed panel; otherwise {@link #tile}, the same operations in the same order, so the
     * same bits. Used where A is not packed ({@link GemmBlocked#readsAInPlace}).
     */
    static void tileRows(int kc, float[] a, int aAt, int lda, float[] bp, int bOff, float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int r0 = aAt, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            if (FENCED) VarHandle.loadLoadFence(); // no instruction on x86; keeps the next broadcasts below
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        // The epilogue is written out: a helper taking a vector is a call C2 may leave out of line, and then boxes it.
        if (alpha != 1f) {
            c00 = c00.mul(alpha);
            c01 = c01.mul(alpha);
            c10 = c10.mul(alpha);
            c11 = c11.mul(alpha);
            c20 = c20.mul(alpha);
            c21 = c21.mul(alpha);
            c30 = c30.mul(alpha);
            c31 = c31.mul(alpha);
            c40 = c40.mul(alpha);
            c41 = c41.mul(alpha);
            c50 = c50.mul(alpha);
            c51 = c51.mul(alpha);
        }
        if (beta != 0f) {
            FloatVector bv = FloatVector.broadcast(S, beta);
            c00 = FloatVector.fromArray(S, c, cOff).fma(bv, c00);
            c01 = FloatVector.fromArray(S, c, cOff + VL).fma(bv, c01);
            c10 = FloatVector.fromArray(S, c, cOff + ldc).fma(bv, c10);
            c11 = FloatVector.fromArray(S, c, cOff + ldc + VL).fma(bv, c11);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc).fma(bv, c20);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + VL).fma(bv, c21);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc).fma(bv, c30);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + VL).fma(bv, c31);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc).fma(bv, c40);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + VL).fma(bv, c41);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc).fma(bv, c50);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + VL).fma(bv, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + VL);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + VL);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + VL);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + VL);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + VL);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + VL);
    }

    /**
     * Writes the top-left {@code mr×nr} corner of {@code tile} into C at {@code cOff}:
     * {@code C = alpha*tile + beta*C}; C is not read when {@code beta == 0}.
     */
    static void merge(float[] tile, int mr, int nr, float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector betaV = FloatVector.broadcast(S, beta);
        for (int r = 0; r < mr; r++) {
            int row = cOff + r * ldc;
            for (int j = 0; j < nr; j += VL) {
                int t = r * NR + j;
                FloatVector v = FloatVector.fromArray(S, tile, t).mul(alpha);
                if (j + VL <= nr) {
                    if (beta != 0f) v = FloatVector.fromArray(S, c, row + j).fma(betaV, v);
                    v.intoArray(c, row + j);
                } else {
                    VectorMask<Float> m = S.indexInRange(j, nr);
                    if (beta != 0f) v = FloatVector.fromArray(S, c, row + j, m).fma(betaV, v);
                    v.intoArray(c, row + j, m);
                }
            }
        }
    }
}
