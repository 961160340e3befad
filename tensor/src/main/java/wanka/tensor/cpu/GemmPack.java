package wanka.tensor.cpu;

import static wanka.tensor.cpu.GemmKernel.MR;
import static wanka.tensor.cpu.GemmKernel.NR;
import static wanka.tensor.cpu.GemmKernel.S;
import static wanka.tensor.cpu.GemmKernel.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
 */
final class GemmPack {

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
        float[] a = g.a();
        int lda = g.lda();
        int full = mc - mc % MR;
        int stride = aPanelStride(kc);
        if (g.transA()) { // op(A)[i][p] = a[p*lda + i]: per step, one stretch of a stored row feeds every panel
            for (int p = 0; p < kc; p++) {
                int src = g.aOff() + (p0 + p) * lda + i0;
                for (int ir = 0, dst = p * MR; ir < full; ir += MR, dst += stride) {
                    int s = src + ir; // MR is a constant: C2 keeps one branch (arraycopy of 4 or 6 floats costs a call)
                    ap[dst] = a[s];
                    ap[dst + 1] = a[s + 1];
                    ap[dst + 2] = a[s + 2];
                    ap[dst + 3] = a[s + 3];
                    if (MR == 6) {
                        ap[dst + 4] = a[s + 4];
                        ap[dst + 5] = a[s + 5];
                    }
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
        } else { // op(A)[i][p] = a[i*lda + p]: one contiguous row per panel row
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int base = (ir / MR) * stride;
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = g.aOff() + (i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs {@code op(B)[p0 : p0+kc, j0 : j0+nc]} into {@code bp}; the panel of columns
     * {@code j0+jr ...} starts at {@code bp[bpOff + (jr/NR) * bPanelStride(kc)]}.
     */
    static void packB(GemmArgs g, int p0, int kc, int j0, int nc, float[] bp, int bpOff) {
        float[] b = g.b();
        int ldb = g.ldb();
        int stride = bPanelStride(kc);
        int full = nc - nc % NR;
        if (!g.transB()) { // op(B)[p][j] = b[p*ldb + j]: per step, one stretch of a stored row feeds every panel
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
            return;
        }
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int base = bpOff + (jr / NR) * stride;
            if (g.bSeg() != null) { // read from a segment (BF16 widened exactly)
                packSegmentPanel(g, p0, kc, j0 + jr, nr, bp, base);
            } else { // op(B)[p][j] = b[j*ldb + p]: one contiguous row of stored B per panel column
                for (int j = 0; j < NR; j++) {
                    if (j < nr) {
                        int src = g.bOff() + (j0 + jr + j) * ldb + p0;
                        for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
                    }
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
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
            }
        }
    }
}
