package wanka.tensor.autograd;

import wanka.tensor.Tensor;

import java.util.List;

/**
 * One recorded op in the autograd graph. It knows its inputs and, given the gradient of its output,
 * adds the gradients of its inputs ({@link #accumulate}). Saved activations are dropped in
 * {@link #releaseSaved()} once backward has used them.
 */
public abstract class GradNode {
    private final String name;
    private final List<Tensor> inputs;

    protected GradNode(String name, Tensor... inputs) {
        this.name = name;
        this.inputs = java.util.Arrays.stream(inputs).filter(java.util.Objects::nonNull).toList();
    }

    public String name() {
        return name;
    }

    /** The tensors this op read that may need gradients. */
    public List<Tensor> inputs() {
        return inputs;
    }

    /** Computes input gradients from {@code gradOutput} and accumulates them into the inputs. */
    public abstract void backward(Tensor gradOutput);

    /** Frees activations saved for backward. Called once after {@link #backward}. */
    protected void releaseSaved() {
    }

    /** Whether an input wants a gradient. */
    protected static boolean wants(Tensor t) {
        return t != null && t.requiresGrad();
    }

    /**
     * Adds {@code g} into {@code t}'s gradient. If {@code t} has no gradient yet, {@code g} itself becomes it
     * (no copy), so ops must hand over freshly computed arrays they do not use afterwards.
     */
    protected static void accumulate(Tensor t, Tensor g) {
        if (!wants(t)) {
            g.release();
            return;
        }
        Tensor cur = t.grad();
        if (cur == null) {
            t.setGrad(g);
            return;
        }
        if (!g.hasData()) { // META: shapes only
            g.release();
            return;
        }
        float[] a = cur.data(), b = g.data();
        int ao = cur.offset(), bo = g.offset(), n = (int) g.numel();
        wanka.tensor.cpu.VectorMath.addInPlace(a, ao, b, bo, n);
        g.release();
    }
}
