package wanka.tensor.autograd;

import wanka.tensor.OpTimes;
import wanka.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** The reverse-mode engine: runs every node reachable from a scalar loss once, in reverse topological order. */
public final class Backward {
    private Backward() {
    }

    public static void run(Tensor loss) {
        if (loss.numel() != 1) throw new IllegalArgumentException("backward() needs a scalar, got shape " + loss.shape());
        Tensor seed = loss.zerosLike();
        if (seed.hasData()) seed.data()[seed.offset()] = 1f;
        run(loss, seed);
    }

    /**
     * Back-propagates {@code gradient} (same shape as {@code root}) from {@code root}: the vector-Jacobian
     * product that recomputation and pipeline stages need. {@code gradient} becomes owned by the engine.
     */
    public static void run(Tensor root, Tensor gradient) {
        if (root.gradFn() == null) throw new IllegalStateException("backward(): " + root + " does not depend on any tensor that requires grad");
        if (!gradient.shape().equals(root.shape())) throw new IllegalArgumentException("backward(): gradient " + gradient.shape() + " for tensor " + root.shape());
        Tensor loss = root;
        // Topological order of nodes by output tensor (iterative DFS, graphs can be deep).
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{loss, 0});
        seen.add(loss);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int i = (int) top[1];
            List<Tensor> in = t.gradFn().inputs();
            if (i < in.size()) {
                top[1] = i + 1;
                Tensor c = in.get(i);
                if (c.gradFn() != null && seen.add(c)) stack.push(new Object[]{c, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        loss.setGrad(gradient);
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            GradNode node = t.gradFn();
            Tensor g = t.grad();
            if (g == null) continue; // output did not influence the loss
            OpTimes times = g.device().opTimes();
            long t0 = times == null ? 0 : System.nanoTime();
            node.backward(g);
            if (times != null) times.add(node.name() + ".backward" + shapes(node), t0);
            node.releaseSaved();
            t.setGrad(null);
            g.release();
            if (t != loss) t.release(); // intermediate activation: every consumer has run its backward
        }
    }

    /** For the op timer: a linear node's backward as rows × outputs × inputs (its dx NN and dW TN multiplies), else "". */
    private static String shapes(GradNode node) {
        if (!node.name().equals("linear") || node.inputs().size() < 2) return "";
        Tensor x = node.inputs().get(0), w = node.inputs().get(1);
        return " " + x.shape().rows() + "×" + w.shape().dim(0) + "×" + x.shape().lastDim();
    }
}
