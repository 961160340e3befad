package wanka.tensor.ops;

import wanka.tensor.DType;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.GradNode;
import wanka.tensor.cpu.Gemm;
import wanka.tensor.cpu.RowOps;

/**
 * A LoRA-adapted projection in one op: {@code y = x·Wᵀ + bias + s·(xd·Aᵀ)·Bᵀ}, W [out, in], A [r, in], B [out, r], where
 * {@code xd} is x or a dropout of it. Composed of separate ops it would keep four [rows, out] tensors alive until
 * backward (base output, B's output, its scaled copy, the sum); fused it keeps one output plus u = xd·Aᵀ [rows, r].
 * Backward, with g = s·dy·B [rows, r]: dB += s·dyᵀ·u, dA += gᵀ·xd, dxd = g·A, dx = dy·W (+ dxd when xd is x),
 * dW += dyᵀ·x and dbias += Σ dy when the base weights require grad.
 */
final class LoraLinearOp {
    private LoraLinearOp() {
    }

    static Tensor forward(Tensor x, Tensor xd, Tensor w, Tensor bias, Tensor a, Tensor b, float s) {
        OpContext ctx = OpContext.of(x, xd, w, a, b);
        int in = x.shape().lastDim(), rows = x.shape().rows();
        if (w.shape().rank() != 2 || w.shape().dim(1) != in) throw new IllegalArgumentException("loraLinear: input " + x.shape() + " does not match weight " + w.shape());
        int out = w.shape().dim(0), r = a.shape().dim(0);
        if (a.shape().rank() != 2 || a.shape().dim(1) != in || b.shape().rank() != 2 || b.shape().dim(0) != out || b.shape().dim(1) != r) {
            throw new IllegalArgumentException("loraLinear: A " + a.shape() + " / B " + b.shape() + " do not fit weight " + w.shape());
        }
        if (!xd.shape().equals(x.shape())) throw new IllegalArgumentException("loraLinear: adapter input " + xd.shape() + " differs from input " + x.shape());
        if (bias != null && bias.numel() != out) throw new IllegalArgumentException("loraLinear: bias " + bias.shape() + " does not match weight " + w.shape());
        Tensor y = Tensor.zeros(ctx.device(), x.shape().withLastDim(out));
        Tensor u = Tensor.zeros(ctx.device(), x.shape().withLastDim(r));
        ctx.cost("lora_linear", 2.0 * rows * in * out + 2.0 * rows * r * (in + out), 4.0 * ((long) rows * in + (long) in * out + (long) rows * out));
        boolean rec = ctx.record(x, xd, w, bias, a, b);
        if (rec && w.isMapped()) throw OpContext.mappedNeedsGrad("loraLinear", w);
        if (!ctx.meta()) {
            if (w.isMapped()) {
                Gemm.sgemm(ctx.pool(), false, true, rows, out, in, 1f, x.data(), x.offset(), in, w.segment(), 0, in, w.segmentType() == DType.BF16, 0f, y.data(), y.offset(), out);
            } else {
                Gemm.sgemm(ctx.pool(), false, true, rows, out, in, 1f, x.data(), x.offset(), in, w.data(), w.offset(), in, 0f, y.data(), y.offset(), out);
            }
            if (bias != null) RowOps.addBias(ctx.pool(), y.data(), y.offset(), rows, out, bias.data(), bias.offset());
            Gemm.sgemm(ctx.pool(), false, true, rows, r, in, 1f, xd.data(), xd.offset(), in, a.data(), a.offset(), in, 0f, u.data(), u.offset(), r);
            Gemm.sgemm(ctx.pool(), false, true, rows, out, r, s, u.data(), u.offset(), r, b.data(), b.offset(), r, 1f, y.data(), y.offset(), out);
        }
        if (rec) y.setGradFn(new Node(x, xd, w, bias, a, b, u, s));
        else u.release();
        return y;
    }

    private static final class Node extends GradNode {
        private Tensor x, xd, u;
        private final Tensor w, bias, a, b;
        private final float s;

        Node(Tensor x, Tensor xd, Tensor w, Tensor bias, Tensor a, Tensor b, Tensor u, float s) {
            super("lora_linear", x, xd == x ? null : xd, w, bias, a, b);
            this.x = x;
            this.xd = xd;
            this.w = w;
            this.bias = bias;
            this.a = a;
            this.b = b;
            this.u = u;
            this.s = s;
        }

        @Override
        public void backward(Tensor dy) {
            OpContext ctx = OpContext.of(dy);
            int in = x.shape().lastDim(), rows = x.shape().rows(), out = w.shape().dim(0), r = a.shape().dim(0);
            boolean same = xd == x;
            boolean wantX = wants(x), wantXd = !same && wants(xd);
            boolean needG = wants(a) || wantXd || (same && wantX);
            ctx.cost("lora_linear.backward", 2.0 * rows * r * out + (needG ? 2.0 * rows * r * (out + in) : 0) + (wantX ? 2.0 * rows * in * out : 0), 0);
            if (wants(b) && !ctx.meta()) {
                Tensor db = b.gradOrZeros();
                Gemm.sgemm(ctx.pool(), true, false, out, r, rows, s, dy.data(), dy.offset(), out, u.data(), u.offset(), r, 1f, db.data(), db.offset(), r);
            }
            Tensor g = null;
            if (needG) {
                g = Tensor.zeros(ctx.device(), x.shape().withLastDim(r));
                if (!ctx.meta()) Gemm.sgemm(ctx.pool(), false, false, rows, r, out, s, dy.data(), dy.offset(), out, b.data(), b.offset(), r, 0f, g.data(), g.offset(), r);
            }
            if (wants(a) && !ctx.meta()) {
                Tensor da = a.gradOrZeros();
                Gemm.sgemm(ctx.pool(), true, false, r, in, rows, 1f, g.data(), g.offset(), r, xd.data(), xd.offset(), in, 1f, da.data(), da.offset(), in);
            }
            if (wantX) {
                Tensor dx = Tensor.zeros(ctx.device(), x.shape());
                if (!ctx.meta()) {
                    Gemm.sgemm(ctx.pool(), false, false, rows, in, out, 1f, dy.data(), dy.offset(), out, w.data(), w.offset(), in, 0f, dx.data(), dx.offset(), in);
                    if (same) Gemm.sgemm(ctx.pool(), false, false, rows, in, r, 1f, g.data(), g.offset(), r, a.data(), a.offset(), in, 1f, dx.data(), dx.offset(), in);
                }
                accumulate(x, dx);
            }
            if (wantXd) {
                Tensor dxd = Tensor.zeros(ctx.device(), xd.shape());
                if (!ctx.meta()) Gemm.sgemm(ctx.pool(), false, false, rows, in, r, 1f, g.data(), g.offset(), r, a.data(), a.offset(), in, 0f, dxd.data(), dxd.offset(), in);
                accumulate(xd, dxd);
            }
            if (g != null) g.release();
            if (wants(w) && !ctx.meta()) {
                Tensor dw = w.gradOrZeros();
                Gemm.sgemm(ctx.pool(), true, false, out, in, rows, 1f, dy.data(), dy.offset(), out, x.data(), x.offset(), in, 1f, dw.data(), dw.offset(), in);
            }
            if (wants(bias) && !ctx.meta()) {
                Tensor dbias = bias.gradOrZeros();
                RowOps.addColumnSums(ctx.pool(), dy.data(), dy.offset(), rows, out, dbias.data(), dbias.offset());
            }
        }

        @Override
        protected void releaseSaved() {
            x = null;
            xd = null;
            if (u != null) u.release();
            u = null;
        }
    }
}
