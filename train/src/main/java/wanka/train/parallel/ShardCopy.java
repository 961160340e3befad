package wanka.train.parallel;

import wanka.train.AssembledCheckpoint;
import wanka.train.RankShard;
import wanka.train.ShardTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each rank of a parallel run saves in a sharded checkpoint, and how it takes its slices back. Every value is
 * saved exactly once over the world: a parameter's tensor-parallel part by the first data-parallel rank (replicated
 * tensors by tensor-parallel rank 0 only, the owner {@link Split#owns} names); its AdamW moments likewise, except
 * under ZeRO-1, where every data-parallel rank saves the range of each bucket it owns and updates. The shard
 * describes each array by its place in the full tensor ({@link ShardTensor}), so a run under any layout, or the
 * single-process trainer, can read it.
 */
final class ShardCopy {
    private ShardCopy() {
    }

    /** Copies this rank's values out of the live arrays (the snapshot a checkpoint step pays for). */
    static RankShard of(FlatParams flat, ShardedAdamW opt, RankEnv env, long step) {
        int tpRank = env.tpRank(), tp = env.tpSize(), dpRank = env.mesh().dp().rank();
        boolean zero = env.layout().zero();
        List<ShardTensor> tensors = new ArrayList<>();
        List<float[]> arrays = new ArrayList<>();
        if (dpRank == 0) {
            for (FlatParams.Slot s : flat.slots) {
                if (!s.split().owns(tpRank)) continue;
                tensors.add(describe(s, ShardTensor.Kind.PARAM, 0, s.numel(), tpRank, tp));
                arrays.add(Arrays.copyOfRange(flat.params, s.offset(), s.offset() + s.numel()));
            }
        }
        if (zero || dpRank == 0) {
            for (ShardedAdamW.Piece p : opt.pieces()) {
                if (!p.counted()) continue; // a replica (or a zero placeholder) that tensor-parallel rank 0 saves
                FlatParams.Slot s = p.slot();
                int from = p.from() - s.offset(), to = p.to() - s.offset(), n = to - from;
                tensors.add(describe(s, ShardTensor.Kind.EXP_AVG, from, to, tpRank, tp));
                arrays.add(Arrays.copyOfRange(opt.expAvg(), p.moments(), p.moments() + n));
                tensors.add(describe(s, ShardTensor.Kind.EXP_AVG_SQ, from, to, tpRank, tp));
                arrays.add(Arrays.copyOfRange(opt.expAvgSq(), p.moments(), p.moments() + n));
            }
        }
        return new RankShard(env.mesh().world().rank(), step, tensors, arrays);
    }

    private static ShardTensor describe(FlatParams.Slot s, ShardTensor.Kind kind, int from, int to, int tpRank, int tp) {
        int dim = s.split().dim();
        return new ShardTensor(s.name(), kind, s.fullShape(), dim, dim < 0 ? 0 : tpRank, dim < 0 ? 1 : tp, from, to);
    }

    /**
     * Sets this rank's parameters and the moments of the pieces it owns from full tensors: the same slices
     * {@link FlatParams#build} and {@link ShardedAdamW} take, so a resume under the writer's layout is bit for bit
     * the state it saved. Zero placeholders (row-parallel biases off tensor-parallel rank 0) stay zero.
     */
    static void restore(AssembledCheckpoint c, FlatParams flat, ShardedAdamW opt, RankEnv env) {
        int tpRank = env.tpRank(), tp = env.tpSize();
        Map<String, float[][]> parts = new HashMap<>();
        for (FlatParams.Slot s : flat.slots) {
            Arrays.fill(flat.params, s.offset(), s.offset() + s.numel(), 0f);
            s.split().slice(c.params().get(s.name()), s.fullShape(), tpRank, tp, flat.params, s.offset());
        }
        for (ShardedAdamW.Piece p : opt.pieces()) {
            FlatParams.Slot s = p.slot();
            float[][] mv = parts.computeIfAbsent(s.name(), k -> new float[][]{part(c.expAvg().get(k), s, tpRank, tp), part(c.expAvgSq().get(k), s, tpRank, tp)});
            int from = p.from() - s.offset(), n = p.to() - p.from();
            System.arraycopy(mv[0], from, opt.expAvg(), p.moments(), n);
            System.arraycopy(mv[1], from, opt.expAvgSq(), p.moments(), n);
        }
        opt.restoreSteps(c.step());
    }

    private static float[] part(float[] full, FlatParams.Slot s, int tpRank, int tp) {
        float[] out = new float[s.numel()];
        s.split().slice(full, s.fullShape(), tpRank, tp, out, 0);
        return out;
    }
}
