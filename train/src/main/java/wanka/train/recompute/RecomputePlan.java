package wanka.train.recompute;

import wanka.train.plan.PlanFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What each layer recomputes in backward ({@code pretrain --recompute none|selective|full|FILE}, F5): the same
 * {@link RecomputeOp}s for every layer, or an explicit per-layer choice read from a plan file
 * ({@link PlanFile}, {@code wanka-plan/1}, the file {@code wanka plan --write-plan} writes). The plan's layout
 * ({@code tp dp pp vpp micro_batch global_batch zero sequence_parallel replicas}) must equal the run's, since memory
 * and time were planned for that layout ({@link #problems}).
 *
 * @param every ops of every layer not in {@code layers}
 * @param layers ops of the layers a plan file names
 * @param layout the layout the plan was made for (empty: any)
 * @param source "none", "selective", "full" or the plan file, for messages
 */
public record RecomputePlan(Set<RecomputeOp> every, Map<Integer, Set<RecomputeOp>> layers, Map<String, Object> layout, String source) {
    public static final RecomputePlan NONE = new RecomputePlan(Set.of(), Map.of(), Map.of(), "none");
    public static final RecomputePlan SELECTIVE = new RecomputePlan(EnumSet.of(RecomputeOp.ATTENTION_CORE), Map.of(), Map.of(), "selective");
    public static final RecomputePlan FULL = new RecomputePlan(EnumSet.of(RecomputeOp.FULL), Map.of(), Map.of(), "full");

    public RecomputePlan {
        every = Set.copyOf(every);
        layers = Map.copyOf(layers);
        layout = Map.copyOf(layout);
    }

    /** {@code none}, {@code selective}, {@code full} or the path of a plan file. */
    public static RecomputePlan parse(String spec) {
        return switch (spec) {
            case "none" -> NONE;
            case "selective" -> SELECTIVE;
            case "full" -> FULL;
            default -> {
                Path p = Path.of(spec);
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--recompute: '" + spec + "' is none of none, selective, full, and no plan file");
                try {
                    yield of(PlanFile.read(p), p.toString());
                } catch (IOException e) {
                    throw new IllegalArgumentException("--recompute " + p + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * The per-layer choices and the layout of plan file {@code plan} ({@code source} names it in messages); a choice
     * the trainer cannot run is an error naming the entry ({@link PlanFile.LayerEntry#ops}).
     */
    public static RecomputePlan of(PlanFile plan, String source) {
        Map<Integer, Set<RecomputeOp>> layers = new TreeMap<>();
        plan.layersByIndex().forEach((i, e) -> {
            try {
                layers.put(i, e.getValue().ops(e.getKey()));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(source + ": " + x.getMessage(), x);
            }
        });
        PlanFile.LayoutEntry l = plan.layout();
        Map<String, Object> layout = new LinkedHashMap<>();
        layout.put("tp", l.tp());
        layout.put("dp", l.dp());
        layout.put("pp", l.pp());
        layout.put("vpp", l.vpp());
        layout.put("micro_batch", l.microBatch());
        layout.put("global_batch", l.globalBatch());
        if (l.zero() > 1) throw new IllegalArgumentException(source + ": layout.zero is " + l.zero() + "; wanka's trainer shards the optimizer state (ZeRO 1) at most");
        layout.put("zero", l.zero() == 1);
        layout.put("sequence_parallel", l.sequenceParallel());
        layout.put("replicas", l.replicas());
        return new RecomputePlan(Set.of(), layers, layout, source);
    }

    /** What layer {@code layer} recomputes. */
    public Set<RecomputeOp> ops(int layer) {
        return layers.getOrDefault(layer, every);
    }

    /** Whether any layer recomputes anything. */
    public boolean any() {
        return !every.isEmpty() || layers.values().stream().anyMatch(s -> !s.isEmpty());
    }

    /**
     * Every reason this plan does not fit a model of {@code numLayers} layers trained with layout {@code run} (the
     * layout fields named in the class comment); empty when it fits.
     */
    public List<String> problems(int numLayers, Map<String, Object> run) {
        List<String> p = new ArrayList<>();
        layers.keySet().stream().filter(i -> i >= numLayers).forEach(i -> p.add("recompute plan " + source + " names layer " + i + ", the model has " + numLayers));
        for (var e : layout.entrySet()) {
            if (!run.containsKey(e.getKey())) {
                p.add("recompute plan " + source + ": unknown layout field '" + e.getKey() + "' (known: " + String.join(", ", run.keySet()) + ")");
            } else if (!Objects.equals(normal(e.getValue()), normal(run.get(e.getKey())))) {
                p.add("recompute plan " + source + " was made for " + e.getKey() + " " + e.getValue() + ", this run has " + run.get(e.getKey()));
            }
        }
        return p;
    }

    private static Object normal(Object v) {
        return v instanceof Number n ? (Object) n.longValue() : v;
    }

    @Override
    public String toString() {
        return source;
    }
}
