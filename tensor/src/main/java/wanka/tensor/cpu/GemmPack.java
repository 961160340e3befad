package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.MR;
import static wanka.tensor.cpu.GemmKernel.NR;
import static wanka.tensor.cpu.GemmKernel.S;
import static wanka.tensor.cpu.GemmKernel.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs blocks of op(A) and op(B) into the contiguous micro-panel layout {@link GemmKernel#tile}
 * reads: A as panels of {@link GemmKernel#MR} rows (MR floats per step of k), B as panels of
 * {@link GemmKernel#NR} columns (NR floats per step of k). Partial panels are padded with zeros.
 *
 * <p>Consecutive panels start {@link #aPanelStride} / {@link #bPanelStride} floats apart: the panel and a 64-byte
 * pad. Without the pad, panels start a multiple of 4 KiB apart (MR·KC floats = 4 KiB with MR = 4, KC = 256;
 * NR·KC = 16 or 32 KiB), so a packing loop that writes one step of many panels at once hits the same few L1 sets.
 * With it, transposed A (the TN weight-gradient pass) and B not transposed are packed in the order their source
 * is stored: per step of k one contiguous stretch of a stored row is read and scattered to every panel of the
 * block (2× faster than 4 panels per pass on a 256×512×2048 TN call, both ISAs). Plain scalar code and unmasked
 * vectors of the preferred species only: a masked vector copy of transposed A was once 4× slower in a JVM that had
 * run other shapes first.
 *
 * <p>Transposed A is copied one vector per panel and step ({@link #VECTOR_COPY}, AVX2 and AVX-512). On AVX2
 * ({@link #VECTOR_PACK}) A not transposed is packed with 8-float vectors too, 8 steps of a panel at a time, rows
 * 0-3 by a 4×8 transpose (two rounds of two-vector interleaves) and row 4 by scalar copies: a 2048×512 A in
 * 0.13–0.18 ms instead of 0.2–0.3 (on 4-row panels the scheme made calls 1.5–5 % faster, 2048×256×512 NT: 93 → 98
 * GFLOP/s, where packing A had taken 4–5 % of the call).
 */
final class GemmPack {

    /**
     * Whether A not transposed is packed with 8-float vectors: only where they are the preferred species (AVX2).
     * With AVX-512 the same code on the 256-bit species ran 2-4 % faster NN/NT calls, but in 2 of 11 JVMs tried
     * the transposed road's 8-float copies ran 7–30× slower (2.4 and 7.2 ms per 512×512×2048 TN call instead of
     * 0.23–0.36), as the preferred-species-only rule above predicts. Panels have 5 to 8 rows (4 by a transpose,
     * the rest by scalar copies; the stores' spare floats need MR <= 8).
     */
    private static final boolean VECTOR_PACK = VL == 8 && MR >= 5 && MR <= 8;
    /**
     * Whether transposed A is copied one preferred-species vector per panel and step (its {@code VL - MR} floats too
     * many land on the next step's place or in the pad): wherever a vector holds a panel's step (AVX2, AVX-512). The
     * copy is bound by the source lines in flight, and one vector per step issues them with a fraction of the
     * instructions of MR scalar copies: a loop copying a 32000×2048 transposed A into 6-row panels, 576 floats of a
     * stored row at a time, took 22–23 ms instead of 58–59 (AVX-512). Inside a 32000×512×2048 TN call (a build that
     * skips the sweep) packing took 34–42 ms instead of 40–46; the call's speed did not move beyond its noise (±3 %).
     */
    private static final boolean VECTOR_COPY = VL >= MR && VL - MR <= GemmPack.PAD;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** Interleaves two 8-float vectors by single lanes (low and high halves), then by pairs of lanes. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromValues(S8, 0, 8, 1, 9, 2, 10, 3, 11);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromValues(S8, 4, 12, 5, 13, 6, 14, 7, 15);
    private static final VectorShuffle<Float> ZIP2_LO = VectorShuffle.fromValues(S8, 0, 1, 8, 9, 2, 3, 10, 11);
    private static final VectorShuffle<Float> ZIP2_HI = VectorShuffle.fromValues(S8, 4, 5, 12, 13, 6, 7, 14, 15);
    /** The high four lanes moved to the low four. */
    private static final VectorShuffle<Float> HIGH_HALF = VectorShuffle.fromValues(S8, 4, 5, 6, 7, 4, 5, 6, 7);

    /** Floats of padding after each packed panel (64 bytes). */
    static final int PAD = 16;

    private GemmPack() {
    }

    /** Floats from the start of one packed A panel of depth {@code kc} to the next. */
    static int aPanelStride(int kc) {
        return kc * MR + PAD;
    }

    /** Floats from the start of one packed B panel of depth {@code kc} to the next. */
    static int bPanelStride(int kc) {
        return kc * NR + PAD;
    }

    /**
     * Packs {@code op(A)[i0 : i0+mc, p0 : p0+kc]} into {@code ap}; the panel of rows
     * {@code i0+ir ...} starts at {@code ap[(ir/MR) * aPanelStride(kc)]}.
     */
    static void packA(GemmArgs g, int i0, int mc, int p0, int kc, float[] ap) {
        // One method per road: each is compiled with its own profile (a shared method compiled before its other
        // road had run was once left with vector code 18× slower on that road until something recompiled it).
        if (g.transA()) packATransposed(g, i0, mc, p0, kc, ap);
        else if (VECTOR_PACK) packAPlainVector(g, i0, mc, p0, kc, ap);
        else packARows(g, i0, 0, mc, p0, kc, ap);
    }

    /** Transposed A ({@code op(A)[i][p] = a[p*lda + i]}): per step, one stretch of a stored row feeds every panel. */
    private static void packATransposed(GemmArgs g, int i0, int mc, int p0, int kc, float[] ap) {
        float[] a = g.a();
        int lda = g.lda();
        int full = mc - mc % MR;
        int stride = aPanelStride(kc);
        for (int p = 0; p < kc; p++) {
            int src = g.aOff() + (p0 + p) * lda + i0;
            for (int ir = 0, dst = p * MR; ir < full; ir += MR, dst += stride) {
                int s = src + ir; // MR is a constant: C2 keeps one branch (arraycopy of 5 or 6 floats costs a call)
                if (VECTOR_COPY && s + VL <= a.length) {
                    // One vector copy: its last VL - MR floats land on the next step's place (written after this
                    // one) or, after the last step, in the panel's pad.
                    FloatVector.fromArray(S, a, s).intoArray(ap, dst);
                    continue;
                }
                for (int r = 0; r < MR; r++) ap[dst + r] = a[s + r];
            }
        }
        if (full < mc) {
            int dst0 = (full / MR) * stride;
            for (int p = 0; p < kc; p++) {
                int src = g.aOff() + (p0 + p) * lda + i0;
                int dst = dst0 + p * MR;
                for (int r = 0; r < MR; r++) ap[dst + r] = full + r < mc ? a[src + full + r] : 0f;
            }
        }
    }

    /**
     * A not transposed ({@code op(A)[i][p] = a[i*lda + p]}) with 8-float vectors, 8 steps of a panel at a time: rows 0-3
     * by a 4×8 transpose, the panel's other rows (4, and 5 with 6-row panels) by scalar copies.
     */
    private static void packAPlainVector(GemmArgs g, int i0, int mc, int p0, int kc, float[] ap) {
        float[] a = g.a();
        int lda = g.lda();
        int full = mc - mc % MR;
        int stride = aPanelStride(kc);
        for (int ir = 0; ir < full; ir += MR) {
            int base = (ir / MR) * stride;
            int s0 = g.aOff() + (i0 + ir) * lda + p0, s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda;
            int p = 0;
            for (; p + 8 <= kc; p += 8) {
                // Rows 0-3 by a 4×8 transpose: t[q] holds steps 2q and 2q+1, each as rows 0 1 2 3.
                FloatVector r0 = FloatVector.fromArray(S8, a, s0 + p), r1 = FloatVector.fromArray(S8, a, s1 + p);
                FloatVector r2 = FloatVector.fromArray(S8, a, s2 + p), r3 = FloatVector.fromArray(S8, a, s3 + p);
                FloatVector u0 = r0.rearrange(ZIP_LO, r1), u1 = r0.rearrange(ZIP_HI, r1); // r0[0] r1[0] r0[1] r1[1] ...
                FloatVector u2 = r2.rearrange(ZIP_LO, r3), u3 = r2.rearrange(ZIP_HI, r3);
                int d = base + p * MR;
                // Step s goes to d + MR·s: each 8-float store is right in its first 4 floats; the rest is overwritten
                // by the next store, by rows 4.. below or (after the panel's last step) lies in the pad.
                // (Written out: a helper taking a vector is a call C2 may leave out of line, and then boxes it.)
                FloatVector t0 = u0.rearrange(ZIP2_LO, u2), t1 = u0.rearrange(ZIP2_HI, u2);
                FloatVector t2 = u1.rearrange(ZIP2_LO, u3), t3 = u1.rearrange(ZIP2_HI, u3);
                t0.intoArray(ap, d);
                t0.rearrange(HIGH_HALF).intoArray(ap, d + MR);
                t1.intoArray(ap, d + 2 * MR);
                t1.rearrange(HIGH_HALF).intoArray(ap, d + 3 * MR);
                t2.intoArray(ap, d + 4 * MR);
                t2.rearrange(HIGH_HALF).intoArray(ap, d + 5 * MR);
                t3.intoArray(ap, d + 6 * MR);
                t3.rearrange(HIGH_HALF).intoArray(ap, d + 7 * MR);
                for (int r = 4; r < MR; r++) {
                    int src = s0 + r * lda + p;
                    for (int q = 0; q < 8; q++) ap[d + MR * q + r] = a[src + q];
                }
            }
            for (; p < kc; p++) {
                int d = base + p * MR;
                for (int r = 0; r < MR; r++) ap[d + r] = a[s0 + r * lda + p];
            }
        }
        if (full < mc) packARows(g, i0, full, mc, p0, kc, ap);
    }

    /** Packs rows {@code [ir0, mc)} of the block of non-transposed A row by row (a partial last panel padded with zeros). */
    private static void packARows(GemmArgs g, int i0, int ir0, int mc, int p0, int kc, float[] ap) {
        float[] a = g.a();
        int lda = g.lda(), stride = aPanelStride(kc);
        for (int ir = ir0; ir < mc; ir += MR) { // op(A)[i][p] = a[i*lda + p]: one contiguous row per panel row
            int mr = Math.min(MR, mc - ir);
            int base = (ir / MR) * stride;
            for (int r = 0; r < MR; r++) {
                if (r < mr) rowToLane(a, g.aOff() + (i0 + ir + r) * lda + p0, ap, base + r, MR, kc);
                else zeroLane(ap, base + r, MR, kc);
            }
        }
    }

    /**
     * Packs {@code op(B)[p0 : p0+kc, j0 : j0+nc]} into {@code bp}; the panel of columns
     * {@code j0+jr ...} starts at {@code bp[bpOff + (jr/NR) * bPanelStride(kc)]}.
     */
    static void packB(GemmArgs g, int p0, int kc, int j0, int nc, float[] bp, int bpOff) {
        if (g.transB()) packBTransposed(g, p0, kc, j0, nc, bp, bpOff); // one method per road, as packA
        else packBPlain(g, p0, kc, j0, nc, bp, bpOff);
    }

    /** B not transposed ({@code op(B)[p][j] = b[p*ldb + j]}): per step, one stretch of a stored row feeds every panel. */
    private static void packBPlain(GemmArgs g, int p0, int kc, int j0, int nc, float[] bp, int bpOff) {
        float[] b = g.b();
        int ldb = g.ldb();
        int stride = bPanelStride(kc);
        int full = nc - nc % NR;
        int src = g.bOff() + p0 * ldb + j0;
        for (int p = 0; p < kc; p++, src += ldb) {
            for (int jr = 0, dst = bpOff + p * NR; jr < full; jr += NR, dst += stride) {
                FloatVector.fromArray(S, b, src + jr).intoArray(bp, dst);
                FloatVector.fromArray(S, b, src + jr + VL).intoArray(bp, dst + VL);
            }
        }
        if (full < nc) {
            int nr = nc - full;
            int base = bpOff + (full / NR) * stride;
            VectorMask<Float> m0 = S.indexInRange(0, nr);
            VectorMask<Float> m1 = S.indexInRange(VL, nr);
            src = g.bOff() + p0 * ldb + j0 + full;
            for (int p = 0; p < kc; p++, src += ldb) {
                int dst = base + p * NR;
                FloatVector.fromArray(S, b, src, m0).intoArray(bp, dst);
                FloatVector.fromArray(S, b, src + VL, m1).intoArray(bp, dst + VL);
            }
        }
    }

    /** Transposed B ({@code op(B)[p][j] = b[j*ldb + p]}, a float array or a segment): one stored row per panel column. */
    private static void packBTransposed(GemmArgs g, int p0, int kc, int j0, int nc, float[] bp, int bpOff) {
        float[] b = g.b();
        int ldb = g.ldb();
        int stride = bPanelStride(kc);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int base = bpOff + (jr / NR) * stride;
            if (g.bSeg() != null) { // read from a segment (BF16 widened exactly)
                packSegmentPanel(g, p0, kc, j0 + jr, nr, bp, base);
            } else { // one contiguous row of stored B per panel column
                for (int j = 0; j < NR; j++) {
                    if (j < nr) rowToLane(b, g.bOff() + (j0 + jr + j) * ldb + p0, bp, base + j, NR, kc);
                    else zeroLane(bp, base + j, NR, kc);
                }
            }
        }
    }

    /** One panel of {@code nr <= NR} columns from a segment B (transposed): column j is stored row {@code j0+j}. */
    private static void packSegmentPanel(GemmArgs g, int p0, int kc, int j0, int nr, float[] bp, int base) {
        java.lang.foreign.MemorySegment s = g.bSeg();
        for (int j = 0; j < NR; j++) {
            if (j < nr) {
                long src = g.bSegAt(j0 + j, p0);
                if (g.bf16()) {
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = Float.intBitsToFloat(s.get(SegmentLoads.I16_LE, src + 2L * p) << 16);
                } else {
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = s.get(SegmentLoads.F32_LE, src + 4L * p);
                }
            } else {
                zeroLane(bp, base + j, NR, kc);
            }
        }
    }

    /**
     * Copies {@code kc} consecutive floats of a stored row ({@code src[from ...]}) into one lane of a packed panel:
     * step p goes to {@code panel[at + p*step]} (step = MR for A panels, NR for B panels).
     */
    private static void rowToLane(float[] src, int from, float[] panel, int at, int step, int kc) {
        for (int p = 0; p < kc; p++) panel[at + p * step] = src[from + p];
    }

    /** Zeros one lane of a packed panel (a row or column past the block's edge). */
    private static void zeroLane(float[] panel, int at, int step, int kc) {
        for (int p = 0; p < kc; p++) panel[at + p * step] = 0f;
    }
}
