package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.tensor.Shape;
import wanka.tensor.Tensor;
import wanka.tensor.autograd.Backward;
import wanka.tensor.autograd.GradNode;
import wanka.train.recompute.LayerForward;

import java.util.function.UnaryOperator;

/**
 * Multi-replica tensor parallelism (F2; MindSpore's {@code MicroBatchInterleaved(interleave_num)}): the
 * tensor-parallel region of a layer (attention or MLP over this rank's heads or columns) runs on each of
 * {@code copies} equal parts of the micro-batch, split along the batch, and each part's collective starts as soon
 * as that part is computed, so it is in flight while the next part computes. Forward: copy 1 computes while copy
 * 0's partial outputs are summed; backward (in reverse): copy 0's input gradient is computed while copy 1's is
 * summed. Only the last copy's collective in each direction is left exposed. Attention and MLP treat sequences
 * independently, so the result equals the region run on the whole micro-batch ({@link CommOps} f and g), and
 * the bytes moved are the same.
 *
 * <p>With sequence parallelism ({@code sequenceParallel}) the region's input is this rank's block of token rows
 * ([batch·seq/t, hidden]) and its collectives are all-gather in and reduce-scatter out. Copy c is then the c-th
 * part of every rank's block: its all-gather assembles those parts in rank order (whole sequences, since the
 * micro-batch is a multiple of tp × copies, {@link ParallelLayout#problems}), the region computes on them, and the
 * reduce-scatter hands each rank back the sum over its own part, the rows it holds. All copies' all-gathers are
 * started at once, so copy c+1's is in flight while copy c computes, and each reduce-scatter while the next copy
 * computes; backward runs the same in reverse (all-gather of the output gradient, reduce-scatter of the input's).
 *
 * <p>Each copy's computation is recorded as its own small graph on a detached input; the region's node runs those
 * graphs' backward itself, which is how it chooses the order.
 *
 * @param seq tokens per sequence (to shape gathered rows as [batch, seq, hidden]; used with sequence parallelism)
 */
record ReplicaRegion(Comm comm, ProcessGroup tp, int copies, boolean sequenceParallel, int seq) implements LayerForward.Region {

    @Override
    public Tensor apply(Tensor n, UnaryOperator<Tensor> f) {
        return sequenceParallel && tp.size() > 1 ? applyRows(n, f) : applyBatch(n, f);
    }

    /** Full rows on every rank: each copy's partial output all-reduced. */
    private Tensor applyBatch(Tensor n, UnaryOperator<Tensor> f) {
        int batch = n.shape().dim(0), per = (int) (n.numel() / copies);
        int[] dims = n.shape().dims().clone();
        dims[0] = batch / copies;
        boolean grad = n.device().gradEnabled();
        Tensor out = null;
        Tensor[] inputs = new Tensor[copies], partials = new Tensor[copies];
        Comm.Pending[] sums = new Comm.Pending[copies];
        for (int c = 0; c < copies; c++) {
            inputs[c] = rows(n, c * per, dims).requiresGrad(grad && n.requiresGrad());
            partials[c] = f.apply(inputs[c]);
            if (out == null) out = Tensor.zeros(n.device(), n.shape().withLastDim(partials[c].shape().lastDim()));
            int m = (int) partials[c].numel();
            System.arraycopy(partials[c].data(), partials[c].offset(), out.data(), out.offset() + c * m, m);
            sums[c] = comm.allReduceAsync(tp, out.data(), out.offset() + c * m, m, ReduceOp.SUM, "all_reduce");
        }
        for (Comm.Pending s : sums) s.await();
        return recorded(out, n, inputs, partials);
    }

    /** This rank's rows only (sequence parallelism): each copy all-gathered in, its partial output reduce-scattered out. */
    private Tensor applyRows(Tensor n, UnaryOperator<Tensor> f) {
        int t = tp.size(), hidden = n.shape().lastDim(), part = n.shape().rows() / copies, partN = part * hidden;
        int[] gatheredDims = {part * t / seq, seq, hidden};
        boolean grad = n.device().gradEnabled();
        Tensor[] gathered = new Tensor[copies], partials = new Tensor[copies];
        Comm.Pending[] gathers = new Comm.Pending[copies], sums = new Comm.Pending[copies];
        for (int c = 0; c < copies; c++) {
            gathered[c] = Tensor.zeros(n.device(), Shape.of(gatheredDims));
            gathers[c] = comm.allGatherAsync(tp, n.data(), n.offset() + c * partN, partN, gathered[c].data(), gathered[c].offset());
        }
        Tensor out = null;
        for (int c = 0; c < copies; c++) {
            gathers[c].await();
            gathered[c].requiresGrad(grad && n.requiresGrad());
            partials[c] = f.apply(gathered[c]);
            int outHidden = partials[c].shape().lastDim();
            if (out == null) out = Tensor.zeros(n.device(), Shape.of(n.shape().rows(), outHidden));
            sums[c] = comm.reduceScatterAsync(tp, partials[c].data(), partials[c].offset(), (int) partials[c].numel(), out.data(),
                    out.offset() + c * part * outHidden);
        }
        for (Comm.Pending s : sums) s.await();
        return recorded(out, n, gathered, partials);
    }

    /** {@code out} with the region's backward node when any copy recorded a graph; otherwise the copies are freed. */
    private Tensor recorded(Tensor out, Tensor n, Tensor[] inputs, Tensor[] partials) {
        boolean recorded = false;
        for (Tensor p : partials) recorded |= p.gradFn() != null;
        if (recorded) {
            out.setGradFn(new Node(n, inputs, partials));
        } else {
            for (int c = 0; c < copies; c++) {
                partials[c].release();
                inputs[c].release();
            }
        }
        return out;
    }

    /** A copy of {@code numel(dims)} elements of {@code t} from {@code from}, shaped {@code dims}. */
    private static Tensor rows(Tensor t, int from, int[] dims) {
        Tensor r = Tensor.zeros(t.device(), Shape.of(dims));
        System.arraycopy(t.data(), t.offset() + from, r.data(), r.offset(), (int) r.numel());
        return r;
    }

    /** Backward of the region: each copy's graph in turn, its input gradient's collective overlapping the next copy. */
    private final class Node extends GradNode {
        private final Tensor n;
        private Tensor[] inputs, partials;

        Node(Tensor n, Tensor[] inputs, Tensor[] partials) {
            super("replica_region", n);
            this.n = n;
            this.inputs = inputs;
            this.partials = partials;
        }

        @Override
        public void backward(Tensor dy) {
            Tensor dn = wants(n) ? Tensor.zeros(n.device(), n.shape()) : null;
            int per = (int) (n.numel() / copies);
            boolean rows = sequenceParallel && tp.size() > 1;
            Tensor[] dys = new Tensor[copies];
            Comm.Pending[] gathers = new Comm.Pending[copies], sums = new Comm.Pending[copies];
            for (int c = 0; c < copies; c++) { // the output gradient of every copy: this rank's rows of it gathered (sequence parallel)
                Tensor p = partials[c];
                int m = (int) p.numel();
                if (rows) {
                    dys[c] = Tensor.zeros(p.device(), p.shape());
                    gathers[c] = comm.allGatherAsync(tp, dy.data(), dy.offset() + c * (m / tp.size()), m / tp.size(), dys[c].data(), dys[c].offset());
                } else {
                    dys[c] = rows(dy, c * m, p.shape().dims());
                }
            }
            for (int c = copies - 1; c >= 0; c--) { // reverse, as the engine would: the last copy computed is the first to go back
                Tensor p = partials[c];
                if (gathers[c] != null) gathers[c].await();
                if (p.gradFn() != null) Backward.run(p, dys[c]);
                p.release();
                dys[c].release();
                Tensor g = inputs[c].grad();
                if (dn != null && g != null) {
                    if (rows) {
                        sums[c] = comm.reduceScatterAsync(tp, g.data(), g.offset(), (int) g.numel(), dn.data(), dn.offset() + c * per);
                    } else {
                        System.arraycopy(g.data(), g.offset(), dn.data(), dn.offset() + c * per, per);
                        sums[c] = comm.allReduceAsync(tp, dn.data(), dn.offset() + c * per, per, ReduceOp.SUM, "all_reduce");
                    }
                }
                inputs[c].setGrad(null);
                if (g != null) g.release();
                inputs[c].release();
            }
            for (Comm.Pending s : sums) if (s != null) s.await();
            if (dn != null) accumulate(n, dn);
        }

        @Override
        protected void releaseSaved() {
            inputs = null;
            partials = null;
        }
    }
}
