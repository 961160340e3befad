package wanka.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import wanka.tensor.ops.Ops;

/** Tensors over read-only mapped storage: views, copies, ops, and the refusals (data(), grad). */
class MappedTensorTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void mappedWeightsMatchHeapCopiesAndRefuseData() {
        try (CpuDevice dev = CpuDevice.withThreads(2); Arena arena = Arena.ofShared()) {
            int out = 5, in = 3;
            float[] w = new float[out * in];
            MemorySegment f32 = arena.allocate(4L * w.length), bf16 = arena.allocate(2L * w.length);
            for (int i = 0; i < w.length; i++) {
                w[i] = Float.intBitsToFloat(Float.floatToRawIntBits(i * 0.37f - 2f) & 0xFFFF0000); // exact in BF16
                f32.set(F32, 4L * i, w[i]);
                bf16.set(I16, 2L * i, (short) (Float.floatToRawIntBits(w[i]) >>> 16));
            }
            Tensor heap = Tensor.wrap(dev, w.clone(), out, in);
            float[] x = {1f, -2f, 0.5f, 3f, 0.25f, -1f};
            Tensor want = Ops.linear(Tensor.wrap(dev, x.clone(), 2, in), heap, null);
            Tensor wantEmb = Ops.embedding(heap, new int[]{4, 0, 2}, 1, 3);
            for (var e : java.util.Map.of(DType.F32, f32, DType.BF16, bf16).entrySet()) {
                Tensor m = Tensor.mapped(dev, e.getValue().asReadOnly(), e.getKey(), out, in).named("blk.w");
                assertThat(m.isMapped()).isTrue();
                assertThat(m.hasData()).isFalse();
                assertThat(m.toArray()).isEqualTo(w);
                assertThat(m.rowsView(1, 3).toArray()).isEqualTo(java.util.Arrays.copyOfRange(w, in, 3 * in));
                assertThat(m.detachCopy().data()).isEqualTo(w);
                assertThat(Ops.linear(Tensor.wrap(dev, x.clone(), 2, in), m, null).toArray()).isEqualTo(want.toArray());
                assertThat(Ops.embedding(m, new int[]{4, 0, 2}, 1, 3).toArray()).isEqualTo(wantEmb.toArray());
                assertThatThrownBy(m::data).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("'blk.w'").hasMessageContaining("read-only memory-mapped");
                assertThatThrownBy(() -> m.requiresGrad(true)).hasMessageContaining("'blk.w'");
                Tensor xg = Tensor.wrap(dev, x.clone(), 2, in).requiresGrad(true);
                assertThatThrownBy(() -> Ops.linear(xg, m, null)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("'blk.w'");
            }
            assertThatThrownBy(() -> Tensor.mapped(dev, f32.asReadOnly(), DType.F32, out, in + 1)).hasMessageContaining("needs 80 bytes");
            assertThatThrownBy(() -> Tensor.mapped(dev, f32, DType.F32, out, in)).hasMessageContaining("read-only");
        }
    }
}
