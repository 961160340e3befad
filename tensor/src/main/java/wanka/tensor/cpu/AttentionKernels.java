package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small GEMM tiles and row-wise vector passes of the attention kernels. All column counts
 * handed in are multiples of {@link #LANES}: callers pad their tile buffers so the inner loops need
 * no masks. Register blocking is 4 rows by 4 vectors (16 accumulators), then 4 by 2, 4 by 1 and
 * single rows for the remainders.
 */
final class AttentionKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /**
     * Whether the 4-row × 4-vector blocks (16 accumulators + 4 loaded vectors + 1 broadcast = 21 registers) fit the
     * register file: x86 below AVX-512 has 16 vector registers (they would spill), AVX-512 and NEON have 32. Where
     * they do not fit, the 4 × 2 blocks (11 registers) take those columns; every sum is taken in the same order.
     */
    static final boolean WIDE_BLOCKS = !(isX86() && SPECIES.vectorBitSize() < 512);
    private static final int WIDE_STEP = WIDE_BLOCKS ? 4 * LANES : Integer.MAX_VALUE / 2;

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386");
    }

    private AttentionKernels() {
    }

    /** {@code n} rounded up to a multiple of {@link #LANES}. */
    static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /**
     * {@code c[j*cStride + r] = sum_x a[aBase + j*aStride + x] * bt[x*cStride + r]} for
     * {@code j < rows}, {@code r < cols}, {@code x < inner}: rows of {@code a} times a transposed
     * tile {@code bt} stored {@code [inner][cStride]}.
     */
    static void rowsTimesTransposed(float[] a, int aBase, int aStride, int rows, int inner,
                                    float[] bt, int cols, float[] c, int cStride) {
        final int l = LANES;
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            int a0 = aBase + j * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
            int c0 = j * cStride;
            int r = 0;
            for (; r + WIDE_STEP <= cols; r += 4 * l) {
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
                FloatVector s02 = FloatVector.zero(SPECIES), s03 = FloatVector.zero(SPECIES);
                FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
                FloatVector s12 = FloatVector.zero(SPECIES), s13 = FloatVector.zero(SPECIES);
                FloatVector s20 = FloatVector.zero(SPECIES), s21 = FloatVector.zero(SPECIES);
                FloatVector s22 = FloatVector.zero(SPECIES), s23 = FloatVector.zero(SPECIES);
                FloatVector s30 = FloatVector.zero(SPECIES), s31 = FloatVector.zero(SPECIES);
                FloatVector s32 = FloatVector.zero(SPECIES), s33 = FloatVector.zero(SPECIES);
                for (int x = 0, bo = r; x < inner; x++, bo += cStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, bt, bo);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, bt, bo + l);
                    FloatVector b2 = FloatVector.fromArray(SPECIES, bt, bo + 2 * l);
                    FloatVector b3 = FloatVector.fromArray(SPECIES, bt, bo + 3 * l);
                    FloatVector w = FloatVector.broadcast(SPECIES, a[a0 + x]);
                    s00 = w.fma(b0, s00);
                    s01 = w.fma(b1, s01);
                    s02 = w.fma(b2, s02);
                    s03 = w.fma(b3, s03);
                    w = FloatVector.broadcast(SPECIES, a[a1 + x]);
                    s10 = w.fma(b0, s10);
                    s11 = w.fma(b1, s11);
                    s12 = w.fma(b2, s12);
                    s13 = w.fma(b3, s13);
                    w = FloatVector.broadcast(SPECIES, a[a2 + x]);
                    s20 = w.fma(b0, s20);
                    s21 = w.fma(b1, s21);
                    s22 = w.fma(b2, s22);
                    s23 = w.fma(b3, s23);
                    w = FloatVector.broadcast(SPECIES, a[a3 + x]);
                    s30 = w.fma(b0, s30);
                    s31 = w.fma(b1, s31);
                    s32 = w.fma(b2, s32);
                    s33 = w.fma(b3, s33);
                }
                int o = c0 + r;
                s00.intoArray(c, o);
                s01.intoArray(c, o + l);
                s02.intoArray(c, o + 2 * l);
                s03.intoArray(c, o + 3 * l);
                o += cStride;
                s10.intoArray(c, o);
                s11.intoArray(c, o + l);
                s12.intoArray(c, o + 2 * l);
                s13.intoArray(c, o + 3 * l);
                o += cStride;
                s20.intoArray(c, o);
                s21.intoArray(c, o + l);
                s22.intoArray(c, o + 2 * l);
                s23.intoArray(c, o + 3 * l);
                o += cStride;
                s30.intoArray(c, o);
                s31.intoArray(c, o + l);
                s32.intoArray(c, o + 2 * l);
                s33.intoArray(c, o + 3 * l);
            }
            for (; r + 2 * l <= cols; r += 2 * l) {
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
                FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
                FloatVector s20 = FloatVector.zero(SPECIES), s21 = FloatVector.zero(SPECIES);
                FloatVector s30 = FloatVector.zero(SPECIES), s31 = FloatVector.zero(SPECIES);
                for (int x = 0, bo = r; x < inner; x++, bo += cStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, bt, bo);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, bt, bo + l);
                    FloatVector w = FloatVector.broadcast(SPECIES, a[a0 + x]);
                    s00 = w.fma(b0, s00);
                    s01 = w.fma(b1, s01);
                    w = FloatVector.broadcast(SPECIES, a[a1 + x]);
                    s10 = w.fma(b0, s10);
                    s11 = w.fma(b1, s11);
                    w = FloatVector.broadcast(SPECIES, a[a2 + x]);
                    s20 = w.fma(b0, s20);
                    s21 = w.fma(b1, s21);
                    w = FloatVector.broadcast(SPECIES, a[a3 + x]);
                    s30 = w.fma(b0, s30);
                    s31 = w.fma(b1, s31);
                }
                int o = c0 + r;
                s00.intoArray(c, o);
                s01.intoArray(c, o + l);
                s10.intoArray(c, o + cStride);
                s11.intoArray(c, o + cStride + l);
                s20.intoArray(c, o + 2 * cStride);
                s21.intoArray(c, o + 2 * cStride + l);
                s30.intoArray(c, o + 3 * cStride);
                s31.intoArray(c, o + 3 * cStride + l);
            }
            for (; r < cols; r += l) {
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
                FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
                for (int x = 0, bo = r; x < inner; x++, bo += cStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, bt, bo);
                    s0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + x]), s0);
                    s1 = b0.fma(FloatVector.broadcast(SPECIES, a[a1 + x]), s1);
                    s2 = b0.fma(FloatVector.broadcast(SPECIES, a[a2 + x]), s2);
                    s3 = b0.fma(FloatVector.broadcast(SPECIES, a[a3 + x]), s3);
                }
                int o = c0 + r;
                s0.intoArray(c, o);
                s1.intoArray(c, o + cStride);
                s2.intoArray(c, o + 2 * cStride);
                s3.intoArray(c, o + 3 * cStride);
            }
        }
        for (; j < rows; j++) {
            int a0 = aBase + j * aStride;
            for (int r = 0; r < cols; r += l) {
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int x = 0, bo = r; x < inner; x++, bo += cStride) {
                    s0 = FloatVector.fromArray(SPECIES, bt, bo).fma(FloatVector.broadcast(SPECIES, a[a0 + x]), s0);
                }
                s0.intoArray(c, j * cStride + r);
            }
        }
    }

    /**
     * {@code acc[accBase + i*accStride + d] += sum_c x[xBase + i*xRowStride + c*xColStride] * y[yBase + c*yStride + d]}
     * for {@code i < rows}, {@code c < count}, {@code d < cols}: a tile of {@code x} (any layout,
     * read as broadcast scalars) times row-major {@code y}, added into row-major {@code acc}.
     */
    static void accumulateProduct(float[] acc, int accBase, int accStride, int rows,
                                  float[] x, int xBase, int xRowStride, int xColStride, int count,
                                  float[] y, int yBase, int yStride, int cols) {
        final int l = LANES;
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            int x0 = xBase + i * xRowStride, x1 = x0 + xRowStride, x2 = x1 + xRowStride, x3 = x2 + xRowStride;
            int o = accBase + i * accStride;
            int d = 0;
            for (; d + WIDE_STEP <= cols; d += 4 * l) {
                int o0 = o + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
                FloatVector s00 = FloatVector.fromArray(SPECIES, acc, o0);
                FloatVector s01 = FloatVector.fromArray(SPECIES, acc, o0 + l);
                FloatVector s02 = FloatVector.fromArray(SPECIES, acc, o0 + 2 * l);
                FloatVector s03 = FloatVector.fromArray(SPECIES, acc, o0 + 3 * l);
                FloatVector s10 = FloatVector.fromArray(SPECIES, acc, o1);
                FloatVector s11 = FloatVector.fromArray(SPECIES, acc, o1 + l);
                FloatVector s12 = FloatVector.fromArray(SPECIES, acc, o1 + 2 * l);
                FloatVector s13 = FloatVector.fromArray(SPECIES, acc, o1 + 3 * l);
                FloatVector s20 = FloatVector.fromArray(SPECIES, acc, o2);
                FloatVector s21 = FloatVector.fromArray(SPECIES, acc, o2 + l);
                FloatVector s22 = FloatVector.fromArray(SPECIES, acc, o2 + 2 * l);
                FloatVector s23 = FloatVector.fromArray(SPECIES, acc, o2 + 3 * l);
                FloatVector s30 = FloatVector.fromArray(SPECIES, acc, o3);
                FloatVector s31 = FloatVector.fromArray(SPECIES, acc, o3 + l);
                FloatVector s32 = FloatVector.fromArray(SPECIES, acc, o3 + 2 * l);
                FloatVector s33 = FloatVector.fromArray(SPECIES, acc, o3 + 3 * l);
                for (int c = 0, xo = 0, yo = yBase + d; c < count; c++, xo += xColStride, yo += yStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, y, yo);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, y, yo + l);
                    FloatVector b2 = FloatVector.fromArray(SPECIES, y, yo + 2 * l);
                    FloatVector b3 = FloatVector.fromArray(SPECIES, y, yo + 3 * l);
                    FloatVector w = FloatVector.broadcast(SPECIES, x[x0 + xo]);
                    s00 = w.fma(b0, s00);
                    s01 = w.fma(b1, s01);
                    s02 = w.fma(b2, s02);
                    s03 = w.fma(b3, s03);
                    w = FloatVector.broadcast(SPECIES, x[x1 + xo]);
                    s10 = w.fma(b0, s10);
                    s11 = w.fma(b1, s11);
                    s12 = w.fma(b2, s12);
                    s13 = w.fma(b3, s13);
                    w = FloatVector.broadcast(SPECIES, x[x2 + xo]);
                    s20 = w.fma(b0, s20);
                    s21 = w.fma(b1, s21);
                    s22 = w.fma(b2, s22);
                    s23 = w.fma(b3, s23);
                    w = FloatVector.broadcast(SPECIES, x[x3 + xo]);
                    s30 = w.fma(b0, s30);
                    s31 = w.fma(b1, s31);
                    s32 = w.fma(b2, s32);
                    s33 = w.fma(b3, s33);
                }
                s00.intoArray(acc, o0);
                s01.intoArray(acc, o0 + l);
                s02.intoArray(acc, o0 + 2 * l);
                s03.intoArray(acc, o0 + 3 * l);
                s10.intoArray(acc, o1);
                s11.intoArray(acc, o1 + l);
                s12.intoArray(acc, o1 + 2 * l);
                s13.intoArray(acc, o1 + 3 * l);
                s20.intoArray(acc, o2);
                s21.intoArray(acc, o2 + l);
                s22.intoArray(acc, o2 + 2 * l);
                s23.intoArray(acc, o2 + 3 * l);
                s30.intoArray(acc, o3);
                s31.intoArray(acc, o3 + l);
                s32.intoArray(acc, o3 + 2 * l);
                s33.intoArray(acc, o3 + 3 * l);
            }
            for (; d + 2 * l <= cols; d += 2 * l) {
                int o0 = o + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
                FloatVector s00 = FloatVector.fromArray(SPECIES, acc, o0);
                FloatVector s01 = FloatVector.fromArray(SPECIES, acc, o0 + l);
                FloatVector s10 = FloatVector.fromArray(SPECIES, acc, o1);
                FloatVector s11 = FloatVector.fromArray(SPECIES, acc, o1 + l);
                FloatVector s20 = FloatVector.fromArray(SPECIES, acc, o2);
                FloatVector s21 = FloatVector.fromArray(SPECIES, acc, o2 + l);
                FloatVector s30 = FloatVector.fromArray(SPECIES, acc, o3);
                FloatVector s31 = FloatVector.fromArray(SPECIES, acc, o3 + l);
                for (int c = 0, xo = 0, yo = yBase + d; c < count; c++, xo += xColStride, yo += yStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, y, yo);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, y, yo + l);
                    FloatVector w = FloatVector.broadcast(SPECIES, x[x0 + xo]);
                    s00 = w.fma(b0, s00);
                    s01 = w.fma(b1, s01);
                    w = FloatVector.broadcast(SPECIES, x[x1 + xo]);
                    s10 = w.fma(b0, s10);
                    s11 = w.fma(b1, s11);
                    w = FloatVector.broadcast(SPECIES, x[x2 + xo]);
                    s20 = w.fma(b0, s20);
                    s21 = w.fma(b1, s21);
                    w = FloatVector.broadcast(SPECIES, x[x3 + xo]);
                    s30 = w.fma(b0, s30);
                    s31 = w.fma(b1, s31);
                }
                s00.intoArray(acc, o0);
                s01.intoArray(acc, o0 + l);
                s10.intoArray(acc, o1);
                s11.intoArray(acc, o1 + l);
                s20.intoArray(acc, o2);
                s21.intoArray(acc, o2 + l);
                s30.intoArray(acc, o3);
                s31.intoArray(acc, o3 + l);
            }
            for (; d < cols; d += l) {
                int o0 = o + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
                FloatVector s0 = FloatVector.fromArray(SPECIES, acc, o0);
                FloatVector s1 = FloatVector.fromArray(SPECIES, acc, o1);
                FloatVector s2 = FloatVector.fromArray(SPECIES, acc, o2);
                FloatVector s3 = FloatVector.fromArray(SPECIES, acc, o3);
                for (int c = 0, xo = 0, yo = yBase + d; c < count; c++, xo += xColStride, yo += yStride) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, y, yo);
                    s0 = b0.fma(FloatVector.broadcast(SPECIES, x[x0 + xo]), s0);
                    s1 = b0.fma(FloatVector.broadcast(SPECIES, x[x1 + xo]), s1);
                    s2 = b0.fma(FloatVector.broadcast(SPECIES, x[x2 + xo]), s2);
                    s3 = b0.fma(FloatVector.broadcast(SPECIES, x[x3 + xo]), s3);
                }
                s0.intoArray(acc, o0);
                s1.intoArray(acc, o1);
                s2.intoArray(acc, o2);
                s3.intoArray(acc, o3);
            }
        }
        for (; i < rows; i++) {
            int x0 = xBase + i * xRowStride;
            int o0 = accBase + i * accStride;
            for (int d = 0; d < cols; d += l) {
                FloatVector s0 = FloatVector.fromArray(SPECIES, acc, o0 + d);
                for (int c = 0, xo = x0, yo = yBase + d; c < count; c++, xo += xColStride, yo += yStride) {
                    s0 = FloatVector.fromArray(SPECIES, y, yo).fma(FloatVector.broadcast(SPECIES, x[xo]), s0);
                }
                s0.intoArray(acc, o0 + d);
            }
        }
    }

    /**
     * Sets {@code s[j*stride + r]} to -infinity where key {@code j} lies after the query of row
     * {@code r}. Row {@code r} is query {@code r / group}; key {@code j} is {@code firstKeyOffset + j}
     * positions after query 0 of the tile, so rows {@code r < (firstKeyOffset + j) * group} are masked.
     */
    static void maskCausal(float[] s, int stride, int keys, int cols, int firstKeyOffset, int group) {
        FloatVector negInf = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < keys; j++) {
            int limit = Math.min(cols, (firstKeyOffset + j) * group);
            for (int r = 0; r < limit; r += LANES) {
                int o = j * stride + r;
                VectorMask<Float> m = SPECIES.indexInRange(r, limit);
                FloatVector.fromArray(SPECIES, s, o).blend(negInf, m).intoArray(s, o);
            }
        }
    }

    /**
     * Segment mask: sets {@code s[j*stride + r]} to -infinity where key {@code firstKey + j} lies before
     * {@code rowStart[r]}, the first key row {@code r} may attend, for {@code r < rows}, {@code j < keys}.
     */
    static void maskBefore(float[] s, int stride, int keys, int rows, int firstKey, int[] rowStart) {
        for (int r = 0; r < rows; r++) {
            int limit = Math.min(keys, rowStart[r] - firstKey);
            for (int j = 0; j < limit; j++) s[j * stride + r] = Float.NEGATIVE_INFINITY;
        }
    }

    /** {@code dst[dstOff + i] = src[srcOff + i] * f} for {@code i < n}, masked on the tail. */
    static void scaleInto(float[] src, int srcOff, float f, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, src, srcOff + i).mul(f).intoArray(dst, dstOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector.fromArray(SPECIES, src, srcOff + i, m).mul(f).intoArray(dst, dstOff + i, m);
        }
    }

    /** {@code sum_i a[aOff + i] * b[bOff + i]} for {@code i < n}. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            s = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), s);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            s = FloatVector.fromArray(SPECIES, a, aOff + i, m).fma(FloatVector.fromArray(SPECIES, b, bOff + i, m), s);
        }
        return KernelMath.addLanesInOrder(s);
    }
}
