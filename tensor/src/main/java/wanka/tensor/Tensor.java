package wanka.tensor;

import wanka.tensor.autograd.GradNode;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional FP32 array on a {@link Device}, row-major and contiguous, with reverse-mode autograd.
 *
 * <p>On the CPU the elements are {@code data()[offset() .. offset()+numel())}; several tensors may share
 * one array (views). On the META device there is no data: only the shape, and the bytes it would take.
 * A tensor that {@link #requiresGrad()} and was produced by an op carries that op's {@link GradNode};
 * {@link #backward()} walks those nodes in reverse.
 */
public final class Tensor {
    private final Shape shape;
    private final Device device;
    private float[] data;           // null on META and after release()
    private final int offset;
    private final boolean ownsStorage;
    private boolean released;
    private boolean requiresGrad;
    private GradNode gradFn;
    private Tensor grad;
    private String name;

    private Tensor(Shape shape, Device device, float[] data, int offset, boolean ownsStorage) {
        this.shape = shape;
        this.device = device;
        this.data = data;
        this.offset = offset;
        this.ownsStorage = ownsStorage;
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

    /** A tensor of the same shape and device as this one, zero-filled. */
    public Tensor zerosLike() {
        return zeros(device, shape);
    }

    /** A view of this tensor's storage with another shape of the same size (no copy, no autograd link). */
    public Tensor reshapeView(int... dims) {
        Shape s = Shape.of(dims);
        if (s.numel() != shape.numel()) throw new IllegalArgumentException("cannot view " + shape + " as " + s);
        return new Tensor(s, device, data, offset, false);
    }

    /** A view of rows [from, to) of this tensor seen as a matrix (no copy, no autograd link). */
    public Tensor rowsView(int from, int to) {
        int cols = shape.lastDim();
        if (from < 0 || to > shape.rows() || from > to) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + shape);
        return new Tensor(Shape.of(to - from, cols), device, data, offset + from * cols, false);
    }

    /** A new tensor with the same values and no autograd history. */
    public Tensor detachCopy() {
        Tensor t = zeros(device, shape);
        if (data != null) System.arraycopy(data(), offset, t.data, 0, (int) numel());
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
        if (released) throw new IllegalStateException("tensor " + describe() + " was released (its memory was freed after backward)");
        if (data == null) throw new IllegalStateException("tensor " + describe() + " on " + device + " has no data");
        return data;
    }

    public int offset() {
        return offset;
    }

    /** The elements copied into a new array. */
    public float[] toArray() {
        return Arrays.copyOfRange(data(), offset, offset + (int) numel());
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, " + describe() + " has " + numel());
        return data()[offset];
    }

    public String name() {
        return name;
    }

    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** Whether the device holds real values for this tensor. */
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
        return "Tensor" + describe() + "@" + device + (gradFn != null ? " grad_fn=" + gradFn.name() : requiresGrad ? " requires_grad" : "");
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
