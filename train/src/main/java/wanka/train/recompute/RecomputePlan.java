package wanka.train.recompute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What each layer recomputes in backward ({@code pretrain --recompute none|selective|full|FILE}, F5): the same
 * {@link RecomputeOp}s for every layer, or an explicit per-layer list read from a plan file, the record the DryRun
 * planner writes. A layer the file does not list recomputes nothing.
 *
 * <p>Plan file, format 1 (JSON):
 * <pre>{@code
 * {"format": 1,
 *  "layout": {"tp": 2, "pp": 2, "dp": 1, "vpp": 1, "micro_batch": 2, "global_batch": 8},
 *  "layers": [{"layer": 0, "recompute": ["attention_core", "mlp_activation"]},
 *             {"layer": 1, "recompute": ["full"]}]}
 * }</pre>
 * {@code layers[].layer} is the 0-based model layer, {@code recompute} a list of {@link RecomputeOp#key()} names.
 * {@code layout} is optional: each field it has ({@code tp dp pp vpp micro_batch global_batch zero
 * sequence_parallel replicas}) must equal the run's, since memory and time were planned for that layout.
 *
 * @param every ops of every layer not in {@code layers}
 * @param layers ops of the layers a plan file names
 * @param layout the layout the plan was made for (empty: any)
 * @param source "none", "selective", "full" or the plan file, for messages
 */
public record RecomputePlan(Set<RecomputeOp> every, Map<Integer, Set<RecomputeOp>> layers, Map<String, Object> layout, String source) {
    private static final ObjectMapper JSON = new ObjectMapper();

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
                    yield read(p);
                } catch (IOException e) {
                    throw new IllegalArgumentException("--recompute " + p + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** Reads a plan file (format 1); every problem is an error naming the file and the field. */
    public static RecomputePlan read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        String where = file.toString();
        if (root == null || !root.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
        if (root.path("format").asInt(-1) != 1) throw new IllegalArgumentException(where + ": format must be 1, got " + root.get("format"));
        JsonNode ls = root.get("layers");
        if (ls == null || !ls.isArray()) throw new IllegalArgumentException(where + ": 'layers' must be a list of {\"layer\": N, \"recompute\": [ops]}");
        Map<Integer, Set<RecomputeOp>> layers = new TreeMap<>();
        for (JsonNode l : ls) {
            if (!l.path("layer").isInt() || l.get("layer").asInt() < 0) throw new IllegalArgumentException(where + ": each layer needs \"layer\": a number >= 0, got " + l);
            int i = l.get("layer").asInt();
            JsonNode ops = l.get("recompute");
            if (ops == null || !ops.isArray()) throw new IllegalArgumentException(where + ": layer " + i + " needs \"recompute\": a list of ops");
            Set<RecomputeOp> set = EnumSet.noneOf(RecomputeOp.class);
            for (JsonNode o : ops) {
                try {
                    set.add(RecomputeOp.of(o.asText()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": layer " + i + ": " + e.getMessage(), e);
                }
            }
            if (layers.put(i, set) != null) throw new IllegalArgumentException(where + ": layer " + i + " is listed twice");
        }
        Map<String, Object> layout = new LinkedHashMap<>();
        JsonNode lay = root.get("layout");
        if (lay != null && !lay.isNull()) {
            if (!lay.isObject()) throw new IllegalArgumentException(where + ": 'layout' must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = lay.fields(); it.hasNext(); ) {
                var e = it.next();
                layout.put(e.getKey(), e.getValue().isBoolean() ? (Object) e.getValue().asBoolean() : e.getValue().isNumber() ? (Object) e.getValue().asLong() : e.getValue().asText());
            }
        }
        return new RecomputePlan(Set.of(), layers, layout, where);
    }

    /** Writes this plan as a format-1 file listing every one of {@code numLayers} layers. */
    public void write(Path file, int numLayers) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        if (!layout.isEmpty()) root.set("layout", JSON.valueToTree(layout));
        ArrayNode ls = root.putArray("layers");
        for (int i = 0; i < numLayers; i++) {
            ObjectNode l = ls.addObject();
            l.put("layer", i);
            ArrayNode ops = l.putArray("recompute");
            ops(i).stream().sorted().forEach(o -> ops.add(o.key()));
        }
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
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
