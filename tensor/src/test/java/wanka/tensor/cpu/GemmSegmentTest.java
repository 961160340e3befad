package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The segment-B overload of {@link Gemm#sgemm} and the segment {@link Embedding#forward} against the float[] paths:
 * F32 bit for bit; BF16 bit for bit against the float[] path on the exactly widened values. Shapes cover the unpacked
 * (decode) path, the packed path with partial panels and several KC slices, and both thread splits.
 */
class GemmSegmentTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static CpuPool one, two;

    @BeforeAll
    static void pools() {
        one = CpuPool.ofThreads(1);
        two = CpuPool.ofThreads(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    /** B stored n×k with leading dimension ldb at element offset bOff, as floats (BF16 values when bf16) and as a segment. */
    private record B(float[] floats, MemorySegment seg, long segOff) {
    }

    private static B randomB(SplittableRandom r, Arena arena, int n, int k, int ldb, int bOff, boolean bf16) {
        int len = bOff + (n - 1) * ldb + k;
        float[] f = new float[len];
        int eb = bf16 ? 2 : 4;
        int pad = 3; // an odd byte offset: unaligned loads
        MemorySegment seg = arena.allocate((long) len * eb + pad + 5, 1);
        for (int i = 0; i < len; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            if (i % 97 == 5) v = 0f;
            if (bf16) {
                short bits = (short) (Float.floatToRawIntBits(v) >>> 16);
                f[i] = Float.intBitsToFloat((bits & 0xFFFF) << 16);
                seg.set(I16, pad + 2L * i, bits);
            } else {
                f[i] = v;
                seg.set(F32, pad + 4L * i, v);
            }
        }
        return new B(f, seg, pad + (long) bOff * eb);
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static void check(CpuPool pool, SplittableRandom r, boolean transA, int m, int n, int k, float alpha, float beta, boolean bf16) {
        int lda = (transA ? m : k) + r.nextInt(3), ldb = k + r.nextInt(3), ldc = n + r.nextInt(3);
        int aOff = r.nextInt(4), bOff = r.nextInt(4), cOff = r.nextInt(4);
        float[] a = random(r, aOff + lda * (transA ? k : m));
        float[] c0 = random(r, cOff + ldc * m);
        try (Arena arena = Arena.ofShared()) {
            B b = randomB(r, arena, n, k, ldb, bOff, bf16);
            float[] want = c0.clone(), got = c0.clone();
            Gemm.sgemm(pool, transA, true, m, n, k, alpha, a, aOff, lda, b.floats(), bOff, ldb, beta, want, cOff, ldc);
            Gemm.sgemm(pool, transA, true, m, n, k, alpha, a, aOff, lda, b.seg().asReadOnly(), b.segOff(), ldb, bf16, beta, got, cOff, ldc);
            assertThat(got).as("m=%d n=%d k=%d transA=%s bf16=%s threads=%d", m, n, k, transA, bf16, pool.threads()).isEqualTo(want);
        }
    }

    @Test
    void segmentBEqualsFloatPathBitwise() {
        SplittableRandom r = new SplittableRandom(7);
        int[] ms = {1, 3, 7, 64, 200};
        int[] ns = {1, 5, 33, 100};
        int[] ks = {1, 9, 31, 64, 300};
        for (boolean bf16 : new boolean[]{false, true}) {
            for (int m : ms) {
                for (int n : ns) {
                    for (int k : ks) {
                        check(one, r, false, m, n, k, 1f, 0f, bf16);
                        check(two, r, m % 2 == 1, m, n, k, 0.5f, 1.5f, bf16);
                    }
                }
            }
        }
    }

    @Test
    void largeShapesRunParallelAndPacked() {
        SplittableRandom r = new SplittableRandom(11);
        for (boolean bf16 : new boolean[]{false, true}) {
            check(two, r, false, 1, 1024, 1024, 1f, 0f, bf16);   // decode matvec split over columns
            check(two, r, false, 3, 700, 520, 1f, 0f, bf16);     // packed, thin C
            check(two, r, false, 64, 300, 600, 1f, 1f, bf16);    // packed, several KC slices, partial panels
            check(two, r, true, 200, 257, 129, 2f, 0f, bf16);
        }
    }

    @Test
    void rejectsUntransposedOrShortSegments() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(4 * 12);
            float[] a = new float[12], c = new float[9];
            assertThatThrownBy(() -> Gemm.sgemm(one, false, false, 3, 3, 4, 1f, a, 0, 4, seg, 0, 4, false, 0f, c, 0, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transposed");
            assertThatThrownBy(() -> Gemm.sgemm(one, false, true, 3, 3, 4, 1f, a, 0, 4, seg, 4, 4, false, 0f, c, 0, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 52 bytes, segment has 48");
        }
    }

    @Test
    void embeddingGathersRowsFromSegment() {
        SplittableRandom r = new SplittableRandom(3);
        int vocab = 50, d = 37;
        int[] ids = {0, 49, 7, 7, 23};
        for (boolean bf16 : new boolean[]{false, true}) {
            try (Arena arena = Arena.ofShared()) {
                B b = randomB(r, arena, vocab, d, d, 0, bf16);
                float[] want = new float[ids.length * d + 2], got = new float[ids.length * d + 2];
                Embedding.forward(two, b.floats(), 0, vocab, d, ids, 0, ids.length, want, 2);
                MemorySegment table = b.seg().asSlice(b.segOff(), (long) vocab * d * (bf16 ? 2 : 4));
                Embedding.forward(two, table, bf16, vocab, d, ids, 0, ids.length, got, 2);
                assertThat(got).isEqualTo(want);
                assertThatThrownBy(() -> Embedding.forward(two, table, bf16, vocab, d, new int[]{vocab}, 0, 1, got, 0))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 50");
            }
        }
    }
}
