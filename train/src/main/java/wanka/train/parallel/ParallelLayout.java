package wanka.train.parallel;

import wanka.dist.MeshShape;
import wanka.model.TeleChat2Config;

import wanka.train.recompute.RecomputePlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a run is spread over ranks: tensor-parallel size {@code tp}, data-parallel size {@code dp}, pipeline
 * stages {@code pp} with {@code vpp} virtual stages (model chunks) each, sequences per micro-batch per
 * data-parallel rank, sequences per optimizer step over all ranks, ZeRO-1, sequence parallelism, the
 * gradient bucket size, and optionally the number of layers of each (virtual) pipeline stage, first to last
 * (empty: equal), the copies each micro-batch is split into so one copy's tensor-parallel communication hides
 * behind the other's computation ({@code replicas}, F2), and what each layer recomputes in backward
 * ({@link RecomputePlan}, F5). Ranks are ordered as Megatron-LM orders them (tp fastest, then dp, then pp; {@link MeshShape}).
 *
 * <p>A step runs {@link #microBatches()} micro-batches per data-parallel rank; the single-process run it
 * reproduces has batch {@code microBatch·dp} and gradient accumulation {@code microBatches()}.
 */
public record ParallelLayout(int tp, int dp, int pp, int vpp, int microBatch, int globalBatch, boolean zero,
                             boolean sequenceParallel, long bucketElements, List<Integer> stageLayers, int replicas, RecomputePlan recompute) {

    /**
     * The default gradient bucket: 6.25 M elements, PyTorch DDP's 25 MB of FP32. (Megatron-LM's 40 M elements is
     * sized for models of billions of parameters; on the 55 M-parameter {@code small} config it made the whole
     * gradient one bucket, complete only when backward ended, so nothing overlapped.)
     */
    public static final long DEFAULT_BUCKET_ELEMENTS = 6_250_000L;

    public ParallelLayout {
        stageLayers = List.copyOf(stageLayers);
        for (var e : List.of(new Object[]{"--tp", tp}, new Object[]{"--dp", dp}, new Object[]{"--pp", pp}, new Object[]{"--vpp", vpp},
                new Object[]{"--micro-batch", microBatch}, new Object[]{"--global-batch", globalBatch})) {
            if ((int) e[1] < 1) throw new IllegalArgumentException(e[0] + " must be >= 1, got " + e[1]);
        }
        if (bucketElements < 1) throw new IllegalArgumentException("the gradient bucket size must be >= 1 element, got " + bucketElements);
        if (replicas < 1) throw new IllegalArgumentException("--replicas must be >= 1, got " + replicas);
        java.util.Objects.requireNonNull(recompute, "recompute");
    }

    /** One copy per micro-batch and no recomputation. */
    public ParallelLayout(int tp, int dp, int pp, int vpp, int microBatch, int globalBatch, boolean zero,
                          boolean sequenceParallel, long bucketElements, List<Integer> stageLayers) {
        this(tp, dp, pp, vpp, microBatch, globalBatch, zero, sequenceParallel, bucketElements, stageLayers, 1, RecomputePlan.NONE);
    }

    /** One rank: {@code batch} sequences per micro-batch, {@code microBatches} of them per step. */
    public static ParallelLayout single(int batch, int microBatches) {
        return new ParallelLayout(1, 1, 1, 1, batch, batch * microBatches, false, false, DEFAULT_BUCKET_ELEMENTS, List.of(), 1, RecomputePlan.NONE);
    }

    public ParallelLayout withBucketElements(long n) {
        return new ParallelLayout(tp, dp, pp, vpp, microBatch, globalBatch, zero, sequenceParallel, n, stageLayers, replicas, recompute);
    }

    public ParallelLayout withRecompute(RecomputePlan plan) {
        return new ParallelLayout(tp, dp, pp, vpp, microBatch, globalBatch, zero, sequenceParallel, bucketElements, stageLayers, replicas, plan);
    }

    public ParallelLayout withReplicas(int n) {
        return new ParallelLayout(tp, dp, pp, vpp, microBatch, globalBatch, zero, sequenceParallel, bucketElements, stageLayers, n, recompute);
    }

    /** The fields a {@link RecomputePlan}'s {@code layout} may name, with this layout's values. */
    public Map<String, Object> planFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tp", tp);
        m.put("dp", dp);
        m.put("pp", pp);
        m.put("vpp", vpp);
        m.put("micro_batch", microBatch);
        m.put("global_batch", globalBatch);
        m.put("zero", zero);
        m.put("sequence_parallel", sequenceParallel);
        m.put("replicas", replicas);
        return m;
    }

    public MeshShape mesh() {
        return new MeshShape(tp, dp, pp);
    }

    public int worldSize() {
        return tp * dp * pp;
    }

    /** Micro-batches per data-parallel rank per step. */
    public int microBatches() {
        return globalBatch / (microBatch * dp);
    }

    /** Whether activations outside attention and MLP are split by rows over the tensor-parallel group. */
    public boolean splitsRows() {
        return sequenceParallel && tp > 1;
    }

    /** Layers of each virtual stage, in model order (virtual stage c·pp + r is chunk c of pipeline rank r). */
    public int[] layersPerStage(int layers) {
        int stages = pp * vpp;
        if (!stageLayers.isEmpty()) return stageLayers.stream().mapToInt(Integer::intValue).toArray();
        int[] n = new int[stages];
        java.util.Arrays.fill(n, layers / stages);
        return n;
    }

    /**
     * Every reason this layout cannot train {@code c} on sequences of {@code seq} tokens with {@code worldSize}
     * ranks; empty when it can.
     */
    public List<String> problems(TeleChat2Config c, int seq, int worldSize) {
        List<String> p = new ArrayList<>();
        if (worldSize != worldSize()) p.add("tp " + tp + " × dp " + dp + " × pp " + pp + " = " + worldSize() + " ranks, but the job has " + worldSize);
        if (c.numHeads() % tp != 0) p.add("n_head " + c.numHeads() + " is not divisible by --tp " + tp);
        if (c.numKvHeads() % tp != 0) p.add("num_key_value_heads " + c.numKvHeads() + " is not divisible by --tp " + tp + " (each rank needs whole kv heads)");
        if (c.ffnHiddenSize() % tp != 0) p.add("ffn_hidden_size " + c.ffnHiddenSize() + " is not divisible by --tp " + tp);
        if (c.vocabSize() % tp != 0) p.add("vocab_size " + c.vocabSize() + " is not divisible by --tp " + tp + " (vocabulary-parallel embedding and loss)");
        int stages = pp * vpp;
        if (stageLayers.isEmpty()) {
            if (c.numLayers() % stages != 0) {
                p.add("n_layer " + c.numLayers() + " does not split evenly into pp " + pp + " × vpp " + vpp + " = " + stages + " stages; give the layers of each stage");
            }
        } else {
            int sum = stageLayers.stream().mapToInt(Integer::intValue).sum();
            if (stageLayers.size() != stages) p.add(stageLayers.size() + " stage layer counts given for pp " + pp + " × vpp " + vpp + " = " + stages + " stages");
            else if (sum != c.numLayers()) p.add("the stage layer counts " + stageLayers + " add up to " + sum + ", the model has n_layer " + c.numLayers());
            if (stageLayers.stream().anyMatch(n -> n < 1)) p.add("every pipeline stage needs at least one layer, got " + stageLayers);
        }
        if (globalBatch % (microBatch * dp) != 0) {
            p.add("--global-batch " + globalBatch + " is not a multiple of --micro-batch " + microBatch + " × --dp " + dp);
        }
        if (vpp > 1 && pp == 1) p.add("--vpp " + vpp + " needs pipeline parallelism (--pp > 1)");
        if (vpp > 1 && globalBatch % (microBatch * dp) == 0 && microBatches() % pp != 0) {
            p.add("interleaved stages need the micro-batches per step (" + microBatches() + ") to be a multiple of --pp " + pp);
        }
        if (splitsRows() && (microBatch * seq) % tp != 0) {
            p.add("sequence parallelism splits micro-batch × seq = " + microBatch * seq + " token rows, not divisible by --tp " + tp);
        }
        if (microBatch % replicas != 0) p.add("--replicas " + replicas + " splits each micro-batch along the batch: --micro-batch " + microBatch + " is not a multiple of it");
        if (replicas > 1 && splitsRows() && microBatch % (tp * replicas) != 0) {
            p.add("--replicas " + replicas + " with --sequence-parallel gives each copy a part of every rank's token rows, which must be whole sequences: "
                    + "--micro-batch " + microBatch + " is not a multiple of --tp " + tp + " × --replicas " + replicas);
        }
        p.addAll(recompute.problems(c.numLayers(), planFields()));
        return p;
    }

    /** Throws an {@link IllegalArgumentException} listing every problem of {@link #problems}. */
    public void check(TeleChat2Config c, int seq, int worldSize) {
        List<String> p = problems(c, seq, worldSize);
        if (!p.isEmpty()) throw new IllegalArgumentException("parallel layout " + this.describe() + " does not fit: " + String.join("; ", p));
    }

    /** "tp2 dp2 pp2 vpp1 micro 2 global 8 zero sp", for messages and logs. */
    public String describe() {
        return "tp" + tp + " dp" + dp + " pp" + pp + (vpp > 1 ? " vpp" + vpp : "") + " micro-batch " + microBatch + " global-batch " + globalBatch
                + (zero ? " zero-1" : "") + (sequenceParallel ? " sequence-parallel" : "") + (stageLayers.isEmpty() ? "" : " stages " + stageLayers)
                + (replicas > 1 ? " replicas " + replicas : "") + (recompute.any() ? " recompute " + recompute : "");
    }
}
