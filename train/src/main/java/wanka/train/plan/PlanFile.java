package wanka.train.plan;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import wanka.train.recompute.RecomputeOp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The plan file: what {@code wanka plan … --write-plan FILE} writes and {@code wanka pretrain --plan FILE} (or
 * {@code --recompute FILE}) executes, the one definition both sides use ({@code docs/formats.md}). It holds the
 * layout, for every pipeline rank and every layer it runs which saved activations are recomputed in backward and
 * which are kept as a tensor-parallel slice and all-gathered again (F5), and the planner's predictions that the run's
 * measured steps are compared against. Plain Jackson records; {@link #read} checks every field and names the bad one.
 *
 * <p>Activations are named by the planner's labels ({@link #LABELS}, the terms of {@code parallel-formulas.md} §2.3).
 * The trainer executes a layer's choice as its recompute ops ({@link LayerEntry#ops}): {@code attn-scores} is the
 * attention core (rotary and attention, {@link RecomputeOp#ATTENTION_CORE}), {@code mlp-fc1-out} the MLP's gate and up
 * projections and SwiGLU ({@link RecomputeOp#MLP_ACTIVATION}), and every activation but the layer input the whole
 * layer ({@link RecomputeOp#FULL}); any other set it cannot run, and says so.
 *
 * @param format      {@link #FORMAT}
 * @param model       the model's name
 * @param parameters  its parameter count, a check that the run trains the planned model
 * @param cluster     the cluster preset or file it was planned for
 * @param nodes       nodes
 * @param layout      the parallel layout
 * @param recompute   "auto" (optimised), a uniform mode ("none", "selective", "full") or "user"
 * @param budgetBytes the per-device memory budget the choice was made for
 * @param stages      one entry per pipeline rank
 * @param predicted   step time and memory the planner predicts
 */
public record PlanFile(String format, String model, long parameters, String cluster, int nodes, LayoutEntry layout,
                       String recompute, double budgetBytes, List<StageEntry> stages, Predicted predicted) {
    /** The format tag of this version. */
    public static final String FORMAT = "wanka-plan/1";

    /** The activation labels a layer entry may name, in layer order (the planner's {@code SavedActivation}). */
    public static final List<String> LABELS = List.of("layer-input", "attn-norm-out", "qkv", "attn-scores", "attn-context",
            "attn-residual", "mlp-norm-out", "mlp-fc1-out", "mlp-act-out", "dropout-masks");

    /** What recomputing the whole layer drops: every activation but the layer input (and dropout masks, which wanka has none of). */
    static final Set<String> WHOLE_LAYER = Set.of("attn-norm-out", "qkv", "attn-scores", "attn-context", "attn-residual",
            "mlp-norm-out", "mlp-fc1-out", "mlp-act-out");

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public PlanFile {
        if (!FORMAT.equals(format)) throw new IllegalArgumentException("format: not a " + FORMAT + " plan file (format: " + format + ")");
        stages = stages == null ? null : List.copyOf(stages);
    }

    /**
     * Bytes per parameter, gradient, optimizer state and activation element.
     *
     * @param paramBytes      a weight (2 for bf16, 4 for fp32)
     * @param gradBytes       a gradient
     * @param optimizerBytes  optimizer state per parameter (12 for mixed-precision Adam, 8 for fp32 AdamW)
     * @param activationBytes an activation element
     */
    public record PrecisionEntry(int paramBytes, int gradBytes, int optimizerBytes, int activationBytes) {
    }

    /**
     * The layout's parallel degrees, batch split, ZeRO stage and precision (its recompute is per layer, in stages).
     *
     * @param dp                data-parallel ranks
     * @param tp                tensor-parallel ranks
     * @param pp                pipeline stages
     * @param vpp               model chunks per pipeline rank (1: plain 1F1B)
     * @param microBatch        sequences per micro-batch per data-parallel rank
     * @param globalBatch       sequences per optimizer step
     * @param seq               tokens per sequence
     * @param zero              ZeRO stage 0–3
     * @param sequenceParallel  Megatron sequence parallelism
     * @param replicas          copies each micro-batch is split into (F2)
     * @param overlapGradReduce whether the gradient reduction overlaps backward
     * @param precision         bytes per value
     */
    public record LayoutEntry(int dp, int tp, int pp, int vpp, int microBatch, int globalBatch, int seq, int zero,
                              boolean sequenceParallel, int replicas, boolean overlapGradReduce, PrecisionEntry precision) {
        /** Every problem of these fields, each naming it (layout.dp …). */
        List<String> problems() {
            List<String> p = new ArrayList<>();
            Map<String, Integer> positive = new LinkedHashMap<>();
            positive.put("dp", dp);
            positive.put("tp", tp);
            positive.put("pp", pp);
            positive.put("vpp", vpp);
            positive.put("microBatch", microBatch);
            positive.put("globalBatch", globalBatch);
            positive.put("seq", seq);
            positive.put("replicas", replicas);
            positive.forEach((k, v) -> {
                if (v < 1) p.add("layout." + k + " must be >= 1, got " + v);
            });
            if (zero < 0 || zero > 3) p.add("layout.zero must be 0, 1, 2 or 3, got " + zero);
            if (microBatch >= 1 && dp >= 1 && globalBatch % (dp * microBatch) != 0) {
                p.add("layout.globalBatch " + globalBatch + " is not a multiple of layout.dp × layout.microBatch = " + dp * microBatch);
            }
            if (precision == null) p.add("layout.precision is missing");
            return p;
        }

        /** Micro-batches per data-parallel rank per step. */
        public int microBatches() {
            return globalBatch / (dp * microBatch);
        }
    }

    /**
     * One pipeline rank.
     *
     * @param rank                          pipeline rank
     * @param layers                        its layers in execution order (chunk by chunk)
     * @param peakBytes                     predicted peak memory of the rank
     * @param recomputeSecondsPerMicroBatch predicted backward seconds its recomputation adds per micro-batch
     */
    public record StageEntry(int rank, List<LayerEntry> layers, double peakBytes, double recomputeSecondsPerMicroBatch) {
        public StageEntry {
            layers = layers == null ? null : List.copyOf(layers);
        }
    }

    /**
     * One layer: its index in the model, its model chunk on the rank, the activations recomputed in backward and
     * those kept as a 1/tp slice and all-gathered again ({@link #LABELS}); the others are kept.
     */
    public record LayerEntry(int layer, int chunk, List<String> recompute, List<String> regather) {
        public LayerEntry {
            recompute = recompute == null ? List.of() : List.copyOf(recompute);
            regather = regather == null ? List.of() : List.copyOf(regather);
        }

        /**
         * What the trainer recomputes for this layer (see the class comment); {@code where} names the entry in errors.
         *
         * @throws IllegalArgumentException for a choice the trainer cannot run
         */
        public Set<RecomputeOp> ops(String where) {
            if (!regather.isEmpty()) {
                throw new IllegalArgumentException(where + ".regather " + regather + ": wanka's trainer keeps the all-gathered inputs of the"
                        + " column-parallel linears and cannot regather them in backward; plan without it");
            }
            Set<String> r = Set.copyOf(recompute);
            if (r.containsAll(WHOLE_LAYER)) return EnumSet.of(RecomputeOp.FULL);
            Set<RecomputeOp> ops = EnumSet.noneOf(RecomputeOp.class);
            for (String a : recompute) {
                switch (a) {
                    case "attn-scores" -> ops.add(RecomputeOp.ATTENTION_CORE);
                    case "mlp-fc1-out" -> ops.add(RecomputeOp.MLP_ACTIVATION);
                    default -> throw new IllegalArgumentException(where + ".recompute: the trainer cannot recompute '" + a + "' on its own; it"
                            + " recomputes attn-scores (the attention core), mlp-fc1-out (the MLP activation) or all of " + sorted(WHOLE_LAYER)
                            + " (the whole layer)");
                }
            }
            return ops;
        }
    }

    private static List<String> sorted(Set<String> s) {
        return LABELS.stream().filter(s::contains).toList();
    }

    /**
     * @param stepSeconds     predicted seconds per step
     * @param peakBytes       predicted peak memory of the most loaded device
     * @param mfu             model FLOPs utilisation
     * @param tokensPerSecond tokens per second, whole job
     */
    public record Predicted(double stepSeconds, double peakBytes, double mfu, double tokensPerSecond) {
    }

    /** Writes this plan as JSON (atomically: a temporary file renamed over {@code file}). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(this) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a plan file, checking every field; a problem is an {@link IllegalArgumentException} naming the file and the field. */
    public static PlanFile read(Path file) throws IOException {
        PlanFile p;
        try {
            p = JSON.readValue(file.toFile(), PlanFile.class);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(file + ": field " + path(e) + ": " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            Throwable c = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty() ? " (at " + path(m) + ")" : "";
            throw new IllegalArgumentException(file + " is not a plan file" + field + ": " + (c == e ? e.getOriginalMessage() : c.getMessage()), e);
        }
        List<String> problems = p.problems();
        if (!problems.isEmpty()) throw new IllegalArgumentException(file + ": " + String.join("; ", problems));
        return p;
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (var r : e.getPath()) {
            if (r.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            else b.append('[').append(r.getIndex()).append(']');
        }
        return b.toString();
    }

    /** Every problem of the fields, each naming it; empty when the plan is well formed. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (layout == null) p.add("layout is missing");
        else p.addAll(layout.problems());
        if (stages == null || stages.isEmpty()) {
            p.add("stages is missing or empty (one entry per pipeline rank)");
            return p;
        }
        if (layout != null && layout.pp() >= 1 && stages.size() != layout.pp()) {
            p.add("stages has " + stages.size() + " entries, layout.pp is " + layout.pp());
        }
        Map<Integer, String> seen = new TreeMap<>();
        for (int s = 0; s < stages.size(); s++) {
            StageEntry st = stages.get(s);
            if (st.rank() != s) p.add("stages[" + s + "].rank is " + st.rank() + ", expected " + s);
            if (st.layers() == null) {
                p.add("stages[" + s + "].layers is missing");
                continue;
            }
            for (int j = 0; j < st.layers().size(); j++) {
                LayerEntry l = st.layers().get(j);
                String where = "stages[" + s + "].layers[" + j + "]";
                if (l.layer() < 0) p.add(where + ".layer must be >= 0, got " + l.layer());
                else {
                    String before = seen.putIfAbsent(l.layer(), where);
                    if (before != null) p.add(where + ".layer " + l.layer() + " is also " + before);
                }
                if (layout != null && (l.chunk() < 0 || l.chunk() >= Math.max(1, layout.vpp()))) {
                    p.add(where + ".chunk must be in [0, layout.vpp " + layout.vpp() + "), got " + l.chunk());
                }
                for (String a : l.recompute()) if (!LABELS.contains(a)) p.add(where + ".recompute: unknown activation '" + a + "'; known: " + String.join(", ", LABELS));
                for (String a : l.regather()) if (!LABELS.contains(a)) p.add(where + ".regather: unknown activation '" + a + "'; known: " + String.join(", ", LABELS));
                if (l.recompute().stream().anyMatch(l.regather()::contains)) p.add(where + ": an activation is both recomputed and regathered");
                if (l.recompute().contains("layer-input") || l.regather().contains("layer-input")) p.add(where + ": the layer input is always kept");
            }
        }
        int n = seen.size();
        if (!seen.isEmpty() && (((TreeMap<Integer, String>) seen).lastKey() != n - 1)) {
            p.add("stages list layers " + seen.keySet() + ", not every layer 0.." + (((TreeMap<Integer, String>) seen).lastKey()) + " once");
        }
        return p;
    }

    /** The number of model layers the plan covers. */
    public int layerCount() {
        return stages.stream().mapToInt(s -> s.layers().size()).sum();
    }

    /** Every layer's entry with where it is in the file ({@code stages[r].layers[j]}), by layer index. */
    public Map<Integer, Map.Entry<String, LayerEntry>> layersByIndex() {
        Map<Integer, Map.Entry<String, LayerEntry>> out = new TreeMap<>();
        for (int s = 0; s < stages.size(); s++) {
            for (int j = 0; j < stages.get(s).layers().size(); j++) {
                LayerEntry l = stages.get(s).layers().get(j);
                out.put(l.layer(), Map.entry("stages[" + s + "].layers[" + j + "]", l));
            }
        }
        return out;
    }
}
