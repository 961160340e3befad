package wanka.train.parallel;

import wanka.tensor.cpu.AdamW;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.RowOps;
import wanka.train.AdamWOptimizer;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW over the flat ranges of {@link FlatParams} this rank owns: every parameter without ZeRO, this rank's
 * block of each bucket with ZeRO-1, where the moments then exist for that block only (4Ψ + 12Ψ/N_d bytes
 * instead of 16Ψ in mixed precision, parallel-formulas §2.4; 8 bytes of moments per owned parameter here).
 * The update is the same element-wise kernel as {@link AdamWOptimizer}, with weight decay on the same
 * parameters (matrices, not norms or biases), so a sharded update equals the unsharded one bit for bit.
 */
final class ShardedAdamW {
    /**
     * Elements [from, to) of the flat arrays inside parameter {@code slot}; {@code counted}: this rank's copy counts in
     * the norm; {@code moments}: where the piece's moments start in {@link #expAvg} / {@link #expAvgSq}.
     */
    record Piece(FlatParams.Slot slot, int from, int to, boolean decays, boolean counted, int moments) {
    }

    private final FlatParams flat;
    private final List<Piece> pieces = new ArrayList<>();
    private final float[] expAvg, expAvgSq;
    private final AdamW withDecay, noDecay;
    private final CpuPool pool;
    private long step;

    ShardedAdamW(FlatParams flat, List<int[]> owned, AdamWOptimizer.Settings s, int tpRank, wanka.tensor.CpuDevice device) {
        this.flat = flat;
        this.pool = device.pool();
        int total = 0;
        for (FlatParams.Slot slot : flat.slots) {
            for (int[] r : owned) {
                int from = Math.max(r[0], slot.offset()), to = Math.min(r[1], slot.offset() + slot.numel());
                if (from < to) {
                    pieces.add(new Piece(slot, from, to, decays(slot.name()), slot.split().owns(tpRank), total));
                    total += to - from;
                }
            }
        }
        // The moments are counted on the device (its peak bytes are the rank's memory, optimizer state included).
        this.expAvg = total == 0 ? new float[0] : wanka.tensor.Tensor.zeros(device, total).data();
        this.expAvgSq = total == 0 ? new float[0] : wanka.tensor.Tensor.zeros(device, total).data();
        this.withDecay = new AdamW(s.beta1(), s.beta2(), s.eps(), s.weightDecay());
        this.noDecay = new AdamW(s.beta1(), s.beta2(), s.eps(), 0);
    }

    /** The rule of {@code AdamWOptimizer}: decay matrices and embeddings, not norms or biases. */
    static boolean decays(String name) {
        return name.endsWith(".weight") && !name.contains("layernorm") && !name.contains("ln_f");
    }

    /** Multiplies the owned gradients by {@code s}. */
    void scaleGrads(float s) {
        for (Piece p : pieces) RowOps.scale(pool, flat.grads, p.from(), p.to() - p.from(), s);
    }

    /** Sum of squares of the owned gradients, each tensor-parallel replica counted once (sum it over the mesh). */
    double sumOfSquares() {
        double sum = 0;
        for (Piece p : pieces) if (p.counted()) sum += RowOps.sumOfSquares(pool, flat.grads, p.from(), p.to() - p.from());
        return sum;
    }

    /** The owned pieces, in flat order (checkpoints save their moments). */
    List<Piece> pieces() {
        return pieces;
    }

    float[] expAvg() {
        return expAvg;
    }

    float[] expAvgSq() {
        return expAvgSq;
    }

    /** Updates taken so far (AdamW's bias correction); a resume sets it to the checkpoint's step. */
    long steps() {
        return step;
    }

    void restoreSteps(long steps) {
        this.step = steps;
    }

    /** One update of the owned parameters with learning rate {@code lr}. */
    void step(double lr) {
        step++;
        int m = 0;
        for (Piece p : pieces) {
            int n = p.to() - p.from();
            (p.decays() ? withDecay : noDecay).step(pool, lr, step, n, flat.params, p.from(), flat.grads, p.from(), expAvg, m, expAvgSq, m);
            m += n;
        }
    }
}
