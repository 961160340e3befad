package wanka.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * How one training step is laid out on the cluster: the parallel degrees, the batch split, optimizer sharding,
 * recomputation and precision. Ranks are ordered as in Megatron: tensor-parallel fastest, then data, then
 * pipeline, so a TP group is contiguous and PP neighbours are dp·tp ranks apart.
 *
 * @param dp                data-parallel degree d
 * @param tp                tensor-parallel degree t
 * @param pp                pipeline stages p
 * @param vpp               virtual stages (model chunks) per device v; 1 = plain 1F1B, more = interleaved 1F1B
 * @param microBatch        sequences per micro-batch b
 * @param globalBatch       sequences per step B
 * @param seq               tokens per sequence s
 * @param zero              optimizer sharding over the data-parallel group
 * @param sequenceParallel  Megatron sequence parallelism (norm/dropout activations split over TP)
 * @param replicas          multi-replica parallel (F2): each micro-batch split in this many parts so one part's TP
 *                          communication overlaps another part's compute; 1 = off
 * @param recompute         activation recomputation
 * @param overlapGradReduce whether the DP gradient reduction overlaps the last backward
 * @param precision         bytes per parameter, gradient, optimizer state and activation
 */
public record Layout(int dp, int tp, int pp, int vpp, int microBatch, int globalBatch, int seq, ZeroStage zero,
                     boolean sequenceParallel, int replicas, Recompute recompute, boolean overlapGradReduce,
                     Precision precision) {

    public Layout {
        if (dp <= 0 || tp <= 0 || pp <= 0 || vpp <= 0 || microBatch <= 0 || globalBatch <= 0 || seq <= 0 || replicas <= 0) {
            throw new IllegalArgumentException("dp, tp, pp, vpp, micro-batch, global batch, seq and replicas must be positive");
        }
        if (zero == null || recompute == null || precision == null) throw new IllegalArgumentException("zero, recompute and precision must be given");
    }

    /** @return dp·tp·pp */
    public int worldSize() {
        return dp * tp * pp;
    }

    /** @return m = B/(d·b), micro-batches per step per pipeline */
    public int microBatches() {
        return globalBatch / (dp * microBatch);
    }

    /** @return whether the interleaved 1F1B schedule runs */
    public boolean interleaved() {
        return vpp > 1;
    }

    /**
     * Every reason this layout cannot run {@code model} on {@code cluster}, one line each; empty when it can.
     * Memory is not checked here (see {@link MemoryModel}).
     */
    public List<String> problems(ModelSpec model, Cluster cluster) {
        List<String> p = new ArrayList<>();
        if (worldSize() != cluster.worldSize()) {
            p.add("world size mismatch: dp·tp·pp = " + dp + "·" + tp + "·" + pp + " = " + worldSize() + ", but the cluster has "
                    + cluster.nodes() + " nodes × " + cluster.devicesPerNode() + " = " + cluster.worldSize() + " devices");
        }
        if (model.heads() % tp != 0) p.add("attention heads (" + model.heads() + ") are not divisible by tp (" + tp + ")");
        if (model.kvHeads() % tp != 0) p.add("kv heads (" + model.kvHeads() + ") are not divisible by tp (" + tp + ")");
        if (model.ffn() % tp != 0) p.add("ffn width (" + model.ffn() + ") is not divisible by tp (" + tp + ")");
        if (model.layers() < pp * vpp) {
            p.add("layers (" + model.layers() + ") < pp·vpp (" + pp + "·" + vpp + " = " + pp * vpp + "): a stage would be empty");
        }
        if (globalBatch % (dp * microBatch) != 0) {
            p.add("global batch (" + globalBatch + ") is not divisible by dp·micro-batch (" + dp + "·" + microBatch + " = "
                    + dp * microBatch + ")");
        }
        if (vpp > 1 && pp == 1) p.add("vpp (" + vpp + ") > 1 needs pipeline parallelism (pp > 1)");
        if (vpp > 1 && globalBatch % (dp * microBatch) == 0 && microBatches() % pp != 0) {
            p.add("interleaved schedule needs micro-batches per step (" + microBatches() + ") divisible by pp (" + pp + ")");
        }
        if (pp > 1 && zero.ordinal() >= ZeroStage.ZERO_2.ordinal()) {
            p.add("ZeRO stage " + zero.ordinal() + " shards gradients or weights, which pipeline parallelism (pp " + pp
                    + ") cannot combine with; use ZeRO 0 or 1");
        }
        if (sequenceParallel && tp == 1) p.add("sequence parallel needs tp > 1");
        if (microBatch % replicas != 0) {
            p.add("micro-batch (" + microBatch + ") is not divisible by replicas (" + replicas + ")");
        }
        if (cluster.stack() == TrainingStack.WANKA_CPU) {
            if (zero.ordinal() > 1) p.add("ZeRO stage " + zero.ordinal() + ": wanka's trainer shards the optimizer state (ZeRO 1) at most");
            if (model.vocab() % tp != 0) p.add("vocabulary (" + model.vocab() + ") is not divisible by tp (" + tp + "): wanka splits the embedding and loss by vocabulary");
            if (model.layers() % (pp * vpp) != 0) p.add("layers (" + model.layers() + ") do not split evenly into pp·vpp (" + pp * vpp + ") stages");
            if (vpp > 1 || sequenceParallel || replicas > 1) {
                p.add("the memory model of wanka's CPU trainer covers plain 1F1B without sequence parallelism or replicas (vpp 1, no sp, replicas 1)");
            }
        }
        return p;
    }

    /** @throws IllegalArgumentException naming every problem of {@link #problems} */
    public Layout validate(ModelSpec model, Cluster cluster) {
        List<String> p = problems(model, cluster);
        if (!p.isEmpty()) throw new IllegalArgumentException("layout " + this.describe() + " is invalid: " + String.join("; ", p));
        return this;
    }

    /** A short description such as {@code dp64 tp8 pp8 vpp3 b1 zero1 sp rc=selective}. */
    public String describe() {
        return "dp" + dp + " tp" + tp + " pp" + pp + (vpp > 1 ? " vpp" + vpp : "") + " b" + microBatch + " zero" + zero.ordinal()
                + (sequenceParallel ? " sp" : "") + (replicas > 1 ? " replicas" + replicas : "") + " rc=" + recompute.label();
    }

    /** @return a copy with these parallel degrees */
    public Layout with(int newDp, int newTp, int newPp, int newVpp, int newMicro, ZeroStage z, boolean sp, Recompute rc) {
        return new Layout(newDp, newTp, newPp, newVpp, newMicro, globalBatch, seq, z, sp, replicas, rc, overlapGradReduce,
                precision);
    }
}
