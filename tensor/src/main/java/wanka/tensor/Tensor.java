package wanka.tensor;

import wanka.tensor.autograd.GradNode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional FP32 array on a {@link Device}, row-major and contiguous, with reverse-mode autograd.
 *
 * <p>On the CPU the elements are {@code data()[offset() .. offset()+numel())}; several tensors may share
 * one array (views). On the META device there is no data: only the shape, and the bytes it would take.
 * A tensor that {@link #requiresGrad()} and was produced by an op carries that op's {@link GradNode};
 * {@link #backward()} walks those nodes in reverse.
 *
 * <p>A <em>mapped</em> tensor ({@link #mapped}) has no {@code float[]}: its elements are read in place from a
 * read-only little-endian {@link MemorySegment} (a memory-mapped weight file) as F32 or BF16. Such tensors never
 * require grad; only the inference paths of {@code linear} (as the weight), {@code embedding} and the LM-head loss
 * read them, through {@link #segment()}, and {@link #data()} refuses them.
 */
public final class Tensor {
    private final Shape shape;
    private final Device device;
    private float[] data;           // null on META, for mapped tensors and after release()
    private final int offset;
    private final MemorySegment segment; // mapped storage (elements from byte 0), or null
    private final DType segmentType;     // F32 or BF16 when mapped
    private final boolean ownsStorage;
    private boolean released;
    private boolean requiresGrad;
    private GradNode gradFn;
    private Tensor grad;
    private String name;

    private Tensor(Shape shape, Device device, float[] data, int offset, boolean ownsStorage) {
        this(shape, device, data, offset, ownsStorage, null, null);
    }

    private Tensor(Shape shape, Device device, float[] data, int offset, boolean ownsStorage, MemorySegment segment, DType segmentType) {
        this.shape = shape;
        this.device = device;
        this.data = data;
        this.offset = offset;
        this.ownsStorage = ownsStorage;
        this.segment = segment;
        this.segmentType = segmentType;
    }

    // ---- creation ----------------------------------------------------------------------------

    /** A new zero-filled tensor. */
    public static Tensor zeros(Device device, Shape shape) {
        long n = shape.numel();
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor of shape " + shape + " has more than 2^31 elements");
        device.memory().onAllocate(n * DType.F32.bytes());
        float[] data = device instanceof CpuDevice ? new float[(int) n] : null;
        Tensor t = new Tensor(shape, device, data, 0, true);
        device.scopes().register(t);
        return t;
    }

    public static Tensor zeros(Device device, int... dims) {
        return zeros(device, Shape.of(dims));
    }

    /** Wraps an existing array (not copied) as a tensor on a CPU device. */
    public static Tensor wrap(CpuDevice device, float[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.numel() != data.length) throw new IllegalArgumentException("shape " + s + " needs " + s.numel() + " elements, array has " + data.length);
        device.memory().onAllocate((long) data.length * DType.F32.bytes());
        return new Tensor(s, device, data, 0, true);
    }

    /**
     * A read-only tensor whose elements are read in place from {@code segment} (little-endian {@code type}, row-major,
     * from byte 0), e.g. a weight of a memory-mapped safetensors file. Nothing is copied and no heap is counted; the
     * segment must stay valid (its arena open) while the tensor is used. The tensor never requires grad.
     *
     * @throws IllegalArgumentException if the segment is not exactly {@code numel × type.bytes()} bytes, or not read-only
     */
    public static Tensor mapped(CpuDevice device, MemorySegment segment, DType type, int... dims) {
        Shape s = Shape.of(dims);
        long bytes = s.numel() * type.bytes();
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException("shape " + s + " of " + type + " needs " + bytes + " bytes, segment has " + segment.byteSize());
        }
        if (!segment.isReadOnly()) throw new IllegalArgumentException("mapped tensors need a read-only segment");
        return new Tensor(s, device, null, 0, false, segment, type);
    }

    /** A tensor of the same shape and device as this one, zero-filled. */
    public Tensor zerosLike() {
        return zeros(device, shape);
    }

    /** A view of this tensor's storage with another shape of the same size (no copy, no autograd link). */
    public Tensor reshapeView(int... dims) {
        Shape s = Shape.of(dims);
        if (s.numel() != shape.numel()) throw new IllegalArgumentException("cannot view " + shape + " as " + s);
        return new Tensor(s, device, data, offset, false, segment, segmentType);
    }

    /** A view of rows [from, to) of this tensor seen as a matrix (no copy, no autograd link). */
    public Tensor rowsView(int from, int to) {
        int cols = shape.lastDim();
        if (from < 0 || to > shape.rows() || from > to) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + shape);
        if (segment != null) {
            long rowBytes = (long) cols * segmentType.bytes();
            return new Tensor(Shape.of(to - from, cols), device, null, 0, false, segment.asSlice(from * rowBytes, (to - from) * rowBytes), segmentType);
        }
        return new Tensor(Shape.of(to - from, cols), device, data, offset + from * cols, false);
    }

    /** A new tensor with the same values and no autograd history (a heap copy of a mapped tensor). */
    public Tensor detachCopy() {
        Tensor t = zeros(device, shape);
        if (segment != null) copyMapped(t.data);
        else if (data != null) System.arraycopy(data(), offset, t.data, 0, (int) numel());
        return t;
    }

    // ---- accessors ---------------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public Device device() {
        return device;
    }

    public long numel() {
        return shape.numel();
    }

    /** The backing array on the CPU; elements start at {@link #offset()}. */
    public float[] data() {
        if (segment != null) {
            throw new IllegalStateException("tensor " + describe() + " is a read-only memory-mapped " + segmentType
                    + " weight with no float[] storage; it is used only by inference (linear weight, embedding, LM head): "
                    + "load the model with ModelIO.load for training or to modify weights");
        }
        if (released) throw new IllegalStateException("tensor " + describe() + " was released (its memory was freed after backward)");
        if (data == null) throw new IllegalStateException("tensor " + describe() + " on " + device + " has no data");
        return data;
    }

    public int offset() {
        return offset;
    }

    /** Whether the elements live in a read-only mapped segment ({@link #segment()}) instead of a {@code float[]}. */
    public boolean isMapped() {
        return segment != null;
    }

    /** The mapped storage (elements from byte 0, little-endian {@link #segmentType()}), or null for a heap tensor. */
    public MemorySegment segment() {
        return segment;
    }

    /** The element type of the mapped storage (F32 or BF16), or null for a heap tensor. */
    public DType segmentType() {
        return segmentType;
    }

    /** The elements copied into a new array (widened to FP32 for a mapped BF16 tensor). */
    public float[] toArray() {
        if (segment != null) {
            float[] out = new float[Math.toIntExact(numel())];
            copyMapped(out);
            return out;
        }
        return Arrays.copyOfRange(data(), offset, offset + (int) numel());
    }

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private void copyMapped(float[] out) {
        int n = out.length;
        if (segmentType == DType.F32) {
            MemorySegment.copy(segment, F32_LE, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(segment.getAtIndex(I16_LE, i) << 16);
        }
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, " + describe() + " has " + numel());
        if (segment != null) return toArray()[0];
        return data()[offset];
    }

    public String name() {
        return name;
    }

    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** Whether the device holds real values for this tensor in a {@code float[]} ({@link #data()}); false for mapped tensors. */
    public boolean hasData() {
        return data != null && !released;
    }

    // ---- autograd ----------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter) as needing a gradient. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) throw new IllegalStateException("cannot clear requiresGrad on a non-leaf tensor " + describe());
        if (segment != null && value) throw new IllegalStateException("tensor " + describe() + " is a read-only memory-mapped weight and cannot require grad");
        this.requiresGrad = value;
        return this;
    }

    public GradNode gradFn() {
        return gradFn;
    }

    /** Called by ops: makes this tensor the output of {@code node}. */
    public void setGradFn(GradNode node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** The accumulated gradient (same shape), or null if none was computed yet. */
    public Tensor grad() {
        return grad;
    }

    /** The gradient tensor, created zero-filled on first use. */
    public Tensor gradOrZeros() {
        if (grad == null) grad = zeros(device, shape);
        return grad;
    }

    /** Drops the gradient (next backward starts from zero). */
    public void zeroGrad() {
        if (grad != null && grad.hasData()) Arrays.fill(grad.data, grad.offset, grad.offset + (int) grad.numel(), 0f);
    }

    /** Replaces the gradient tensor (used by the autograd engine and optimizers). */
    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape)) throw new IllegalArgumentException("gradient shape " + g.shape + " != tensor shape " + shape);
        this.grad = g;
    }

    /** Back-propagates from this scalar: d(this)/d(this) = 1. */
    public void backward() {
        wanka.tensor.autograd.Backward.run(this);
    }

    /** Frees this tensor's memory (only if it owns its array); later data access throws. */
    public void release() {
        if (released) return;
        released = true;
        if (ownsStorage) device.memory().onRelease(numel() * DType.F32.bytes());
        data = null;
    }

    public boolean isReleased() {
        return released;
    }

    String describe() {
        return (name != null ? "'" + name + "' " : "") + shape;
    }

    @Override
    public String toString() {
        return "Tensor" + describe() + "@" + device + (segment != null ? " mapped " + segmentType : "") + (gradFn != null ? " grad_fn=" + gradFn.name() : requiresGrad ? " requires_grad" : "");
    }

    /** Checks that all tensors are on the same device and returns it. */
    public static Device sameDevice(Tensor... ts) {
        Device d = ts[0].device;
        for (Tensor t : ts) {
            if (t != null && t.device != d) throw new IllegalArgumentException("tensors on different devices: " + ts[0] + " and " + t);
        }
        return Objects.requireNonNull(d);
    }
}
