package wanka.plan;

import wanka.train.plan.PlanFile;

import java.util.ArrayList;
import java.util.List;

/**
 * The planner's side of the plan file ({@link PlanFile}, defined in the train module so that the trainer reads what
 * the planner writes): a {@link Plan} as a plan file, and a plan file's layout and per-layer choices back as the
 * planner's records.
 */
public final class PlanFiles {
    private PlanFiles() {
    }

    /** The plan file of {@code p}: its optimised per-layer choice, or its uniform mode repeated on every layer. */
    public static PlanFile of(Plan p) {
        Layout lay = p.layout();
        ModelSpec m = p.model();
        int pp = lay.pp(), v = lay.vpp(), stages = pp * v;
        List<PlanFile.StageEntry> out = new ArrayList<>();
        for (int r = 0; r < pp; r++) {
            List<PlanFile.LayerEntry> layers = new ArrayList<>();
            int at = 0;
            for (int c = 0; c < v; c++) {
                int vs = c * pp + r, first = PipelineSchedule.firstLayerOf(m.layers(), stages, vs);
                for (int i = 0; i < PipelineSchedule.layersOf(m.layers(), stages, vs); i++, at++) {
                    LayerRecompute lr = p.recompute() != null ? p.recompute().devices().get(r).layers().get(at)
                            : LayerRecompute.of(lay.recompute(), m, lay.tp(), lay.sequenceParallel());
                    layers.add(new PlanFile.LayerEntry(first + i, c, lr.recomputed(), lr.regathered()));
                }
            }
            double peak, secs;
            if (p.recompute() != null) {
                DeviceRecompute d = p.recompute().devices().get(r);
                peak = d.memory().total();
                secs = d.secondsPerMicroBatch();
            } else {
                peak = MemoryModel.rank(m, p.cluster(), lay, r).total();
                secs = uniformSeconds(p, r);
            }
            out.add(new PlanFile.StageEntry(r, layers, peak, secs));
        }
        String mode = p.recompute() != null ? "auto" : lay.recompute().label();
        double budget = p.recompute() != null ? p.recompute().budget() : p.memory().usable();
        return new PlanFile(PlanFile.FORMAT, m.name(), m.parameterCount(), p.cluster().name(), p.cluster().nodes(), layout(lay),
                mode, budget, out, new PlanFile.Predicted(p.time().total(), p.memory().total(), p.time().mfu(), p.time().tokensPerSecond()));
    }

    static PlanFile.LayoutEntry layout(Layout l) {
        Precision pr = l.precision();
        return new PlanFile.LayoutEntry(l.dp(), l.tp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), l.seq(), l.zero().ordinal(),
                l.sequenceParallel(), l.replicas(), l.overlapGradReduce(),
                new PlanFile.PrecisionEntry(pr.paramBytes(), pr.gradBytes(), pr.optimizerBytes(), pr.activationBytes()));
    }

    /** The layout of a plan file, with recompute none (the per-layer choices are in its stages). */
    public static Layout layout(PlanFile f) {
        PlanFile.LayoutEntry l = f.layout();
        PlanFile.PrecisionEntry pr = l.precision();
        return new Layout(l.dp(), l.tp(), l.pp(), l.vpp(), l.microBatch(), l.globalBatch(), l.seq(), ZeroStage.of(l.zero()),
                l.sequenceParallel(), l.replicas(), Recompute.NONE, l.overlapGradReduce(),
                new Precision(pr.paramBytes(), pr.gradBytes(), pr.optimizerBytes(), pr.activationBytes()));
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

    /** The choice of every model layer, by layer index. */
    public static List<LayerRecompute> layerChoices(PlanFile f) {
        List<LayerRecompute> out = new ArrayList<>();
        f.layersByIndex().forEach((i, e) -> out.add(LayerRecompute.of(e.getValue().recompute(), e.getValue().regather())));
        return List.copyOf(out);
    }
}
