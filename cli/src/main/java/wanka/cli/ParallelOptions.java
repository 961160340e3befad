package wanka.cli;

import picocli.CommandLine.Option;
import wanka.train.parallel.ParallelLayout;
import wanka.train.plan.PlanFile;
import wanka.train.recompute.RecomputePlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout options of {@code pretrain} (issue 8): any of them runs the parallel trainer. Ranks are threads
 * of this JVM unless the command runs under {@code mpirun} / {@code srun --mpi=pmix} (one rank per process) or
 * under {@code wanka launch --nproc N}.
 */
final class ParallelOptions {
    @Option(names = "--dp", paramLabel = "N", description = "Data-parallel ranks (default: the ranks left by tp × pp, else 1).")
    Integer dp;

    @Option(names = "--tp", paramLabel = "N", description = "Tensor-parallel ranks: attention heads, kv heads, FFN and vocabulary split N ways (default: 1).")
    Integer tp;

    @Option(names = "--pp", paramLabel = "N", description = "Pipeline stages, run with the 1F1B schedule (default: 1).")
    Integer pp;

    @Option(names = "--vpp", paramLabel = "N", description = "Virtual stages (model chunks) per pipeline rank, interleaved 1F1B (default: 1).")
    Integer vpp;

    @Option(names = "--pipeline-layers", split = ",", paramLabel = "N,N,…", description = "Layers of each (virtual) pipeline stage, first to last (default: equal).")
    List<Integer> pipelineLayers;

    @Option(names = "--micro-batch", paramLabel = "N", description = "Sequences per micro-batch per data-parallel rank (default: --batch).")
    Integer microBatch;

    @Option(names = "--global-batch", paramLabel = "N", description = "Sequences per optimizer step over all ranks (default: micro-batch × dp × --grad-accum).")
    Integer globalBatch;

    @Option(names = "--zero", description = "ZeRO-1: shard the optimizer state over the data-parallel ranks.")
    boolean zero;

    @Option(names = "--sequence-parallel", description = "Split the token rows outside attention and MLP over the tensor-parallel ranks.")
    boolean sequenceParallel;

    @Option(names = "--bucket-size", paramLabel = "ELEMENTS", description = "Gradient elements per data-parallel reduction bucket (default: 6250000, 25 MB of FP32).")
    Long bucketSize;

    @Option(names = "--replicas", paramLabel = "N", description = "Split each micro-batch into N copies whose tensor-parallel communication and computation interleave (default: 1).")
    Integer replicas;

    @Option(names = "--recompute", defaultValue = "none", paramLabel = "none|selective|full|FILE",
            description = "What backward recomputes in each layer: nothing, the attention core, the whole layer, or a per-layer plan file (JSON, format 1; default: ${DEFAULT-VALUE}).")
    String recompute;

    @Option(names = "--plan", paramLabel = "FILE",
            description = "Run the layout and per-layer recompute choices of a plan file from 'wanka plan --write-plan' (docs/formats.md), and log predicted vs measured step time and peak memory per rank after the first steps. Layout options that contradict it are errors.")
    Path plan;

    private PlanFile planFile;

    /** The plan file of {@code --plan} (read once), or null. */
    PlanFile planFile() {
        if (plan == null) return null;
        if (planFile == null) {
            try {
                planFile = PlanFile.read(plan);
            } catch (IOException e) {
                throw new UncheckedIOException("--plan: cannot read " + plan, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--plan " + e.getMessage(), e);
            }
        }
        return planFile;
    }

    /** The recompute plan {@code --recompute} (read now if it is a file) or {@code --plan} names. */
    RecomputePlan recomputePlan() {
        if (plan != null) {
            if (!recompute.equals("none")) throw new IllegalArgumentException("give either --plan or --recompute " + recompute + ": the plan says what each layer recomputes");
            return RecomputePlan.of(planFile(), plan.toString());
        }
        return RecomputePlan.parse(recompute);
    }

    /** Whether any layout option was given (then the parallel trainer runs, even on one rank). */
    boolean requested() {
        return dp != null || tp != null || pp != null || vpp != null || pipelineLayers != null || microBatch != null || globalBatch != null
                || zero || sequenceParallel || bucketSize != null || replicas != null || plan != null;
    }

    /** The layout {@code --plan} describes; every layout option given on the command line must agree with it. */
    private ParallelLayout planned() {
        PlanFile f = planFile();
        PlanFile.LayoutEntry l = f.layout();
        List<String> clash = new ArrayList<>();
        Object[][] given = {{"--dp", dp, l.dp()}, {"--tp", tp, l.tp()}, {"--pp", pp, l.pp()}, {"--vpp", vpp, l.vpp()},
                {"--micro-batch", microBatch, l.microBatch()}, {"--global-batch", globalBatch, l.globalBatch()}, {"--replicas", replicas, l.replicas()}};
        for (Object[] g : given) {
            if (g[1] != null && !g[1].equals(g[2])) clash.add(g[0] + " " + g[1] + " (the plan has " + g[2] + ")");
        }
        if (zero && l.zero() == 0) clash.add("--zero (the plan has ZeRO stage 0)");
        if (sequenceParallel && !l.sequenceParallel()) clash.add("--sequence-parallel (the plan has none)");
        if (!clash.isEmpty()) throw new IllegalArgumentException("--plan " + plan + " contradicts " + String.join(", ", clash) + "; leave them out to run the plan");
        int stages = l.pp() * l.vpp();
        int[] counts = new int[stages];
        for (PlanFile.StageEntry s : f.stages()) for (PlanFile.LayerEntry e : s.layers()) counts[e.chunk() * l.pp() + s.rank()]++;
        List<Integer> perStage = java.util.Arrays.stream(counts).boxed().toList();
        boolean even = perStage.stream().distinct().count() == 1;
        if (pipelineLayers != null && !pipelineLayers.equals(perStage)) {
            throw new IllegalArgumentException("--plan " + plan + " contradicts --pipeline-layers " + pipelineLayers + " (the plan has " + perStage + ")");
        }
        return new ParallelLayout(l.tp(), l.dp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), l.zero() >= 1, l.sequenceParallel(),
                bucketSize != null ? bucketSize : ParallelLayout.DEFAULT_BUCKET_ELEMENTS, even ? List.of() : perStage, l.replicas(), recomputePlan());
    }

    /** The layout for a job of {@code worldSize} ranks (0: as many as the layout needs). */
    ParallelLayout layout(int batch, int gradAccum, int worldSize) {
        if (plan != null) return planned();
        int t = tp != null ? tp : 1, p = pp != null ? pp : 1;
        int d = dp != null ? dp : worldSize > 0 && worldSize % (t * p) == 0 ? worldSize / (t * p) : 1;
        int micro = microBatch != null ? microBatch : batch;
        int global = globalBatch != null ? globalBatch : micro * d * gradAccum;
        return new ParallelLayout(t, d, p, vpp != null ? vpp : 1, micro, global, zero, sequenceParallel,
                bucketSize != null ? bucketSize : ParallelLayout.DEFAULT_BUCKET_ELEMENTS, pipelineLayers != null ? pipelineLayers : new ArrayList<>(),
                replicas != null ? replicas : 1, recomputePlan());
    }
}
