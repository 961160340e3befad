package wanka.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan file {@code wanka plan … --write-plan FILE} writes for a training run to execute (documented in
 * {@code docs/formats.md}): the layout, and for every pipeline rank and every layer it runs which saved activations
 * are recomputed and which are kept as a slice and all-gathered again in backward (F5), with the planner's
 * predictions to compare the run's measured steps against. Plain Jackson records.
 *
 * @param format     {@link #FORMAT}
 * @param model      the model's name
 * @param parameters its parameter count, a check that the run trains the planned model
 * @param cluster    the cluster preset or file it was planned for
 * @param nodes      nodes
 * @param layout     the parallel layout
 * @param recompute  "auto" (optimised), a uniform mode ("none", "selective", "full") or "user"
 * @param budgetBytes the per-device memory budget the choice was made for
 * @param stages     one entry per pipeline rank
 * @param predicted  step time and memory the planner predicts
 */
public record PlanFile(String format, String model, long parameters, String cluster, int nodes, LayoutEntry layout,
                       String recompute, double budgetBytes, List<StageEntry> stages, Predicted predicted) {
    /** The format tag of this version. */
    public static final String FORMAT = "wanka-plan/1";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public PlanFile {
        if (!FORMAT.equals(format)) throw new IllegalArgumentException("not a " + FORMAT + " plan file (format: " + format + ")");
        stages = List.copyOf(stages);
    }

    /** The layout's parallel degrees, batch split, ZeRO stage and precision (its recompute is per layer, in stages). */
    public record LayoutEntry(int dp, int tp, int pp, int vpp, int microBatch, int globalBatch, int seq, int zero,
                              boolean sequenceParallel, int replicas, boolean overlapGradReduce, Precision precision) {
        static LayoutEntry of(Layout l) {
            return new LayoutEntry(l.dp(), l.tp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), l.seq(), l.zero().ordinal(),
                    l.sequenceParallel(), l.replicas(), l.overlapGradReduce(), l.precision());
        }

        /** @return the layout, with recompute none (the per-layer choices are in the stages) */
        public Layout toLayout() {
            return new Layout(dp, tp, pp, vpp, microBatch, globalBatch, seq, ZeroStage.of(zero), sequenceParallel, replicas,
                    Recompute.NONE, overlapGradReduce, precision);
        }
    }

    /**
     * One pipeline rank.
     *
     * @param rank                    pipeline rank
     * @param layers                  its layers in execution order (chunk by chunk)
     * @param peakBytes               predicted peak memory of the rank
     * @param recomputeSecondsPerMicroBatch predicted backward seconds its recomputation adds per micro-batch
     */
    public record StageEntry(int rank, List<LayerEntry> layers, double peakBytes, double recomputeSecondsPerMicroBatch) {
        public StageEntry {
            layers = List.copyOf(layers);
        }
    }

    /**
     * One layer: its index in the model, its model chunk on the rank, the activations recomputed in backward and
     * those kept as a 1/tp slice and all-gathered again (labels of {@link SavedActivation}); the others are kept.
     */
    public record LayerEntry(int layer, int chunk, List<String> recompute, List<String> regather) {
        public LayerEntry {
            recompute = List.copyOf(recompute);
            regather = List.copyOf(regather);
        }

        /** @return the choice this entry describes (labels checked) */
        public LayerRecompute choice() {
            return LayerRecompute.of(recompute, regather);
        }
    }

    /**
     * @param stepSeconds     predicted seconds per step
     * @param peakBytes       predicted peak memory of the most loaded device
     * @param mfu             model FLOPs utilisation
     * @param tokensPerSecond tokens per second, whole job
     */
    public record Predicted(double stepSeconds, double peakBytes, double mfu, double tokensPerSecond) {
    }

    /** The plan file of {@code p}: its optimised per-layer choice, or its uniform mode repeated on every layer. */
    public static PlanFile of(Plan p) {
        Layout lay = p.layout();
        ModelSpec m = p.model();
        int pp = lay.pp(), v = lay.vpp(), stages = pp * v;
        List<StageEntry> out = new ArrayList<>();
        for (int r = 0; r < pp; r++) {
            List<LayerEntry> layers = new ArrayList<>();
            int at = 0;
            for (int c = 0; c < v; c++) {
                int vs = c * pp + r, first = PipelineSchedule.firstLayerOf(m.layers(), stages, vs);
                for (int i = 0; i < PipelineSchedule.layersOf(m.layers(), stages, vs); i++, at++) {
                    LayerRecompute lr = p.recompute() != null ? p.recompute().devices().get(r).layers().get(at)
                            : LayerRecompute.of(lay.recompute(), m, lay.tp(), lay.sequenceParallel());
                    layers.add(new LayerEntry(first + i, c, lr.recomputed(), lr.regathered()));
                }
            }
            double peak, secs;
            if (p.recompute() != null) {
                DeviceRecompute d = p.recompute().devices().get(r);
                peak = d.memory().total();
                secs = d.secondsPerMicroBatch();
            } else {
                peak = MemoryModel.rank(m, p.cluster(), lay, r).total();
                secs = Double.NaN;
            }
            out.add(new StageEntry(r, layers, peak, Double.isNaN(secs) ? uniformSeconds(p, r) : secs));
        }
        String mode = p.recompute() != null ? "auto" : lay.recompute().label();
        double budget = p.recompute() != null ? p.recompute().budget() : p.memory().usable();
        return new PlanFile(FORMAT, m.name(), m.parameterCount(), p.cluster().name(), p.cluster().nodes(), LayoutEntry.of(lay),
                mode, budget, out, new Predicted(p.time().total(), p.memory().total(), p.time().mfu(), p.time().tokensPerSecond()));
    }

    private static double uniformSeconds(Plan p, int r) {
        Layout lay = p.layout();
        int layers = 0;
        for (int c = 0; c < lay.vpp(); c++) {
            layers += PipelineSchedule.layersOf(p.model().layers(), lay.pp() * lay.vpp(), c * lay.pp() + r);
        }
        Work w = p.profile().recompute(lay.recompute(), lay.microBatch(), lay.seq(), lay.tp(), lay.sequenceParallel());
        return layers * w.seconds(p.cluster()).total();
    }

    /** Writes this plan as JSON. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, JSON.writeValueAsString(this) + "\n");
    }

    /** Reads a plan file, checking its format tag and its activation labels. */
    public static PlanFile read(Path file) throws IOException {
        PlanFile p;
        try {
            p = JSON.readValue(file.toFile(), PlanFile.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new IOException(file + " is not a plan file: " + e.getOriginalMessage(), e);
        }
        for (StageEntry s : p.stages()) for (LayerEntry l : s.layers()) l.choice();
        return p;
    }

    /** The choice of every model layer, by layer index. */
    public List<LayerRecompute> layerChoices() {
        int n = stages.stream().mapToInt(s -> s.layers().size()).sum();
        LayerRecompute[] out = new LayerRecompute[n];
        for (StageEntry s : stages) for (LayerEntry l : s.layers()) out[l.layer()] = l.choice();
        return List.of(out);
    }
}
