package wanka.align.lora;

import wanka.model.layers.Linear;
import wanka.model.layers.Projection;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A frozen projection plus a trainable low-rank update (Hu et al. 2021, PEFT's {@code lora.Linear}):
 * {@code y = W x + b + (α/r)·B A dropout(x)}, with A {@code [r, in]} and B {@code [out, r]}. B starts at zero, so the
 * adapted model starts equal to the base. Dropout is applied only while gradients are recorded (training); each call
 * draws a fresh mask from the seed and a call counter.
 */
public final class LoraLinear implements Projection {
    private final Linear base;
    private final Tensor a, b;
    private final float scale;
    private final float dropout;
    private final long seed;
    private final AtomicLong calls = new AtomicLong();

    public LoraLinear(Linear base, Tensor a, Tensor b, float scale, float dropout, long seed) {
        if (a.shape().dim(1) != base.in() || b.shape().dim(0) != base.out() || a.shape().dim(0) != b.shape().dim(1)) {
            throw new IllegalArgumentException("LoRA A " + a.shape() + " / B " + b.shape() + " do not fit a projection of " + base.weight().shape());
        }
        this.base = base;
        this.a = a;
        this.b = b;
        this.scale = scale;
        this.dropout = dropout;
        this.seed = seed;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor in = dropout > 0 && x.device().gradEnabled() ? Ops.dropout(x, dropout, seed * 0x9E3779B97F4A7C15L + calls.getAndIncrement()) : x;
        return Ops.loraLinear(x, in, base.weight(), base.bias(), a, b, scale); // one op: the base output and the update share one tensor
    }

    @Override
    public Linear base() {
        return base;
    }

    /** A {@code [r, in]}. */
    public Tensor a() {
        return a;
    }

    /** B {@code [out, r]}. */
    public Tensor b() {
        return b;
    }

    public float scale() {
        return scale;
    }

    /** How many dropout masks this adapter has drawn (its random state). */
    public long dropoutCalls() {
        return calls.get();
    }

    /** Continues the mask sequence after {@code n} draws (a resumed run). */
    public void dropoutCalls(long n) {
        calls.set(n);
    }
}
