package wanka.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads little-endian F32 or BF16 elements from a (memory-mapped) segment as floats. BF16 is widened exactly: its 16
 * bits become the upper half of the float's bits, so the values equal those of a heap copy made the same way.
 */
final class SegmentLoads {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> S = GemmKernel.S;
    /** As many shorts as S has floats (half its bit size). */
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);

    private SegmentLoads() {
    }

    /** Bytes per element. */
    static int elementBytes(boolean bf16) {
        return bf16 ? 2 : 4;
    }

    /** One vector of S.length() consecutive elements starting at byte {@code off}. */
    static FloatVector load(MemorySegment s, long off, boolean bf16) {
        if (!bf16) return FloatVector.fromMemorySegment(S, s, off, ByteOrder.LITTLE_ENDIAN);
        return widen(ShortVector.fromMemorySegment(SS, s, off, ByteOrder.LITTLE_ENDIAN));
    }

    private static FloatVector widen(ShortVector bits) {
        IntVector i = (IntVector) bits.convertShape(VectorOperators.S2I, IS, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The element at byte {@code off}. */
    static float get(MemorySegment s, long off, boolean bf16) {
        return bf16 ? Float.intBitsToFloat(s.get(I16_LE, off) << 16) : s.get(F32_LE, off);
    }

    /** Copies {@code n} consecutive elements from byte {@code off} into {@code dst[dstOff ...]} as floats. */
    static void copy(MemorySegment s, long off, boolean bf16, float[] dst, int dstOff, int n) {
        if (!bf16) {
            MemorySegment.copy(s, F32_LE, off, dst, dstOff, n);
            return;
        }
        int vl = S.length(), i = 0;
        for (; i <= n - vl; i += vl) widen(ShortVector.fromMemorySegment(SS, s, off + 2L * i, ByteOrder.LITTLE_ENDIAN)).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = Float.intBitsToFloat(s.get(I16_LE, off + 2L * i) << 16);
    }
}
