package wanka.train.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plan files for tests: a layout and what each layer recomputes, the layers split evenly over the pipeline ranks. */
public final class TestPlans {
    private TestPlans() {
    }

    /** A layout entry in fp32 (wanka on the CPU), no ZeRO, no sequence parallelism, one replica. */
    public static PlanFile.LayoutEntry layout(int dp, int tp, int pp, int micro, int global, int seq) {
        return new PlanFile.LayoutEntry(dp, tp, pp, 1, micro, global, seq, 0, false, 1, false, new PlanFile.PrecisionEntry(4, 4, 8, 4));
    }

    /** The plan of {@code layers} layers under {@code layout}, layer i recomputing {@code recompute.get(i)} (absent: nothing). */
    public static PlanFile plan(PlanFile.LayoutEntry layout, int layers, Map<Integer, List<String>> recompute) {
        List<PlanFile.StageEntry> stages = new ArrayList<>();
        int per = layers / layout.pp();
        for (int r = 0; r < layout.pp(); r++) {
            List<PlanFile.LayerEntry> ls = new ArrayList<>();
            for (int i = r * per; i < (r + 1) * per; i++) ls.add(new PlanFile.LayerEntry(i, 0, recompute.getOrDefault(i, List.of()), List.of()));
            stages.add(new PlanFile.StageEntry(r, ls, 0, 0));
        }
        return new PlanFile(PlanFile.FORMAT, "test", 0, "cpu", 1, layout, "user", 0, stages, new PlanFile.Predicted(0, 0, 0, 0));
    }

    /** Writes {@link #plan} to {@code file} and returns it. */
    public static Path write(Path file, PlanFile.LayoutEntry layout, int layers, Map<Integer, List<String>> recompute) throws IOException {
        plan(layout, layers, recompute).write(file);
        return file;
    }

    /** Every activation a whole-layer recomputation drops. */
    public static final List<String> WHOLE = List.of("attn-norm-out", "qkv", "attn-scores", "attn-context", "attn-residual", "mlp-norm-out",
            "mlp-fc1-out", "mlp-act-out");
}
