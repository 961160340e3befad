package wanka.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link Plan} for people (text with a memory stack, a time split and bottlenecks in words) and for tools (JSON). */
public final class PlanReport {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private PlanReport() {
    }

    /** The parts of the step time, in seconds, by name, in display order. */
    public static Map<String, Double> timeParts(StepTime t) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("matmul", t.matmul());
        m.put("attention", t.attention());
        m.put("memory-bound ops", t.memory());
        m.put("kernel overhead", t.overhead());
        m.put("recompute", t.recompute());
        m.put("TP comm (exposed)", t.tpComm());
        m.put("PP bubble + p2p", t.ppBubble());
        m.put("DP comm (exposed)", t.dpComm());
        m.put("optimizer", t.optimizer());
        return m;
    }

    /** The parts of the peak memory, in bytes, by name. */
    public static Map<String, Double> memoryParts(MemoryBreakdown mem) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("weights", mem.weights());
        m.put("gradients", mem.gradients());
        m.put("optimizer state", mem.optimizer());
        m.put("activations", mem.activations());
        m.put("comm buffers", mem.commBuffers());
        m.put("temporaries", mem.temporaries());
        return m;
    }

    /** The biggest costs, worst first, each as a sentence with what would reduce it. */
    public static List<String> bottlenecks(Plan p) {
        List<String> out = new ArrayList<>();
        MemoryBreakdown mem = p.memory();
        if (!mem.fits()) out.add(doesNotFit(mem, p.recompute() != null));
        StepTime t = p.time();
        double total = t.total();
        Layout lay = p.layout();
        List<Map.Entry<String, Double>> parts = new ArrayList<>(timeParts(t).entrySet());
        parts.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        double headroom = (mem.usable() - mem.total()) / 1e9;
        for (Map.Entry<String, Double> e : parts.subList(0, 4)) {
            double pct = 100 * e.getValue() / total;
            if (pct < 3) break;
            String why = switch (e.getKey()) {
                case "matmul" -> "matrix multiplies: the useful work; this is the compute-bound case";
                case "attention" -> p.model().flashAttention()
                        ? "the attention core (s² work; its efficiency is calibrated on unfused kernels, so this is pessimistic for fused attention)"
                        : "the attention core; fused (flash) attention and shorter sequences reduce it";
                case "memory-bound ops" -> "norms, activations and adds bound by HBM bandwidth; operator fusion or sequence parallelism (--sp) reduce it";
                case "kernel overhead" -> "per-kernel launch cost: micro-batches are small; a larger --micro-batch or lower --tp makes kernels bigger";
                case "recompute" -> p.recompute() != null
                        ? "forward work redone in backward, chosen per op to fit the budget; a larger budget, more pipeline stages or a smaller micro-batch reduce it"
                        : String.format(Locale.ROOT, "forward work redone in backward (%s); with %.1f GB headroom a lighter recompute mode may fit",
                        lay.recompute().label(), headroom);
                case "TP comm (exposed)" -> "tensor-parallel collectives on the critical path; a smaller --tp, TP inside one node, or --replicas 2 to overlap them";
                case "PP bubble + p2p" -> String.format(Locale.ROOT, "pipeline bubble with %d micro-batches over %d stages%s; more micro-batches per step or more virtual stages (--vpp) shrink it",
                        lay.microBatches(), lay.pp(), lay.vpp() > 1 ? " × " + lay.vpp() + " chunks" : "");
                case "DP comm (exposed)" -> "data-parallel gradient reduction not hidden behind backward; overlap it, or fewer data-parallel ranks per node crossing";
                default -> "the optimizer update (memory-bound); ZeRO-1 shards it over data-parallel ranks";
            };
            out.add(String.format(Locale.ROOT, "%s %.0f%% (%.2f s): %s.", e.getKey(), pct, e.getValue(), why));
        }
        return out;
    }

    /**
     * Why a device does not fit, in one sentence: what it needs against what it may use, by how much it is over, and
     * the part that dominates with what would shrink it.
     *
     * @param recomputed whether per-op recompute already did all it could
     */
    public static String doesNotFit(MemoryBreakdown mem, boolean recomputed) {
        Map.Entry<String, Double> big = memoryParts(mem).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        String hint = switch (big.getKey()) {
            case "weights" -> "more tensor or pipeline parallelism (--tp, --pp) splits them, ZeRO-3 shards them over data-parallel ranks";
            case "gradients" -> "more tensor or pipeline parallelism splits them, ZeRO-2 shards them, --no-fp32-grads halves them";
            case "optimizer state" -> "ZeRO-1 or more data-parallel ranks shard it, more tensor or pipeline parallelism splits it";
            case "activations" -> recomputed ? "a smaller micro-batch, a shorter sequence or more tensor or pipeline parallelism shrink them"
                    : "--recompute auto (or full), a smaller micro-batch or more tensor parallelism with --sp shrink them";
            case "comm buffers" -> "fewer or smaller buffers: a smaller micro-batch";
            default -> "a smaller micro-batch or vocabulary split over more tensor-parallel ranks";
        };
        return String.format(Locale.ROOT, "Does not fit%s: %.1f GB needed on the most loaded device (stage %d), %.1f GB usable, %.1f GB (%.0f%%) over; "
                        + "the biggest part is %s, %.1f GB (%.0f%% of the need): %s.",
                recomputed ? " even with the most recomputation" : "", mem.total() / 1e9, mem.stage(), mem.usable() / 1e9,
                (mem.total() - mem.usable()) / 1e9, 100 * (mem.total() / mem.usable() - 1), big.getKey(), big.getValue() / 1e9,
                100 * big.getValue() / mem.total(), hint);
    }

    /** The human-readable breakdown. */
    public static String text(Plan p) {
        StringBuilder sb = new StringBuilder();
        ModelSpec m = p.model();
        Cluster c = p.cluster();
        Layout lay = p.layout();
        StepTime t = p.time();
        sb.append(String.format(Locale.ROOT, "Model    %s: %.2f B parameters, %d layers, h %d, %d heads (%d kv), ffn %d, vocab %d%n",
                m.name(), m.parameterCount() / 1e9, m.layers(), m.hidden(), m.heads(), m.kvHeads(), m.ffn(), m.vocab()));
        sb.append(String.format(Locale.ROOT, "Cluster  %s × %d nodes × %d = %d devices (%s, %s 16-bit, %.0f GB usable); constants %s%n",
                c.name(), c.nodes(), c.devicesPerNode(), c.worldSize(), c.accelerator().name(), PlanReport.flops(c.accelerator().peak16()),
                c.accelerator().usableBytes() / 1e9, c.calibratedOn()));
        sb.append(String.format(Locale.ROOT, "Layout   %s; seq %d, global batch %d (%d micro-batches per step)%n",
                describeLayout(p), lay.seq(), lay.globalBatch(), lay.microBatches()));
        sb.append("Work     ").append(p.profile().source()).append('\n');
        MemoryBreakdown mem = p.memory();
        sb.append(String.format(Locale.ROOT, "%nMemory of the most loaded device (stage %d): %.1f GB of %.1f GB usable — %s%n",
                mem.stage(), mem.total() / 1e9, mem.usable() / 1e9, mem.fits() ? "fits" : "DOES NOT FIT"));
        memoryParts(mem).forEach((k, v) -> sb.append(bar(k, v / 1e9, "GB", v / mem.usable())));
        sb.append(String.format(Locale.ROOT, "%nStep time: %.2f s   MFU %.1f%%   %,.0f tokens/s (%,.0f per device)%n",
                t.total(), 100 * t.mfu(), t.tokensPerSecond(), t.tokensPerSecond() / c.worldSize()));
        timeParts(t).forEach((k, v) -> sb.append(bar(k, v, "s", v / t.total())));
        sb.append("\nBottlenecks\n");
        for (String s : bottlenecks(p)) sb.append("  - ").append(s).append('\n');
        if (p.recompute() != null) sb.append(recomputeText(p.recompute()));
        return sb.toString();
    }

    /** The layout's description, with rc=per-op when a per-op recompute choice replaces its mode. */
    public static String describeLayout(Plan p) {
        String d = p.layout().describe();
        return p.recompute() == null ? d : d.replace(" rc=none", " rc=per-op");
    }

    /** Per pipeline rank: memory against the budget, added seconds, and each distinct layer choice with its layers. */
    static String recomputeText(RecomputeSolution sol) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nRecompute plan (per layer and op, budget %.1f GB per device%s)%n",
                sol.budget() / 1e9, !sol.fits() ? "; it does not fit even recomputing every activation but the layer input"
                        : sol.exact() ? ", optimal" : ", best found"));
        for (DeviceRecompute d : sol.devices()) {
            sb.append(String.format(Locale.ROOT, "  stage %-3d %5.1f GB%s, +%.1f ms backward per micro-batch%n", d.rank(),
                    d.memory().total() / 1e9, d.memory().fits() ? "" : " (over budget)", 1e3 * d.secondsPerMicroBatch()));
            Map<LayerRecompute, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < d.layers().size(); i++) {
                groups.computeIfAbsent(d.layers().get(i), k -> new ArrayList<>()).add(d.layerIndices().get(i));
            }
            groups.forEach((lr, idx) -> sb.append(String.format(Locale.ROOT, "      %-16s %s%n", "layers " + ranges(idx), lr.describe())));
        }
        return sb.toString();
    }

    /** e.g. {@code 0-3,8,10-11}. */
    static String ranges(List<Integer> idx) {
        List<Integer> sorted = new ArrayList<>(idx);
        sorted.sort(null);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(sorted.get(i));
            if (j > i) sb.append('-').append(sorted.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    /** A FLOP/s rate as TFLOP/s, or GFLOP/s below one TFLOP/s. */
    static String flops(double rate) {
        return rate >= 1e12 ? String.format(Locale.ROOT, "%.0f TFLOP/s", rate / 1e12) : String.format(Locale.ROOT, "%.0f GFLOP/s", rate / 1e9);
    }

    private static String bar(String label, double value, String unit, double fraction) {
        int n = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 40);
        return String.format(Locale.ROOT, "  %-18s %9.2f %-2s %5.1f%% %s%n", label, value, unit, 100 * fraction, "█".repeat(n));
    }

    /** The plan as a JSON object: inputs, memory and time parts, totals, bottlenecks. */
    public static Map<String, Object> jsonTree(Plan p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", p.model());
        o.put("parameters", p.model().parameterCount());
        o.put("cluster", p.cluster());
        o.put("layout", Map.of("dp", p.layout().dp(), "tp", p.layout().tp(), "pp", p.layout().pp(), "vpp", p.layout().vpp(),
                "microBatch", p.layout().microBatch(), "globalBatch", p.layout().globalBatch(), "seq", p.layout().seq(),
                "zero", p.layout().zero().ordinal(), "sequenceParallel", p.layout().sequenceParallel(),
                "recompute", p.recompute() != null ? "per-op" : p.layout().recompute().label()));
        o.put("layoutReplicas", p.layout().replicas());
        o.put("workSource", p.profile().source());
        Map<String, Object> mem = new LinkedHashMap<>(memoryParts(p.memory()));
        mem.put("total", p.memory().total());
        mem.put("usable", p.memory().usable());
        mem.put("fits", p.memory().fits());
        mem.put("stage", p.memory().stage());
        o.put("memoryBytes", mem);
        Map<String, Object> time = new LinkedHashMap<>(timeParts(p.time()));
        time.put("total", p.time().total());
        o.put("stepSeconds", time);
        o.put("mfu", p.time().mfu());
        o.put("tokensPerSecond", p.time().tokensPerSecond());
        o.put("modelFlopsPerStep", p.time().modelFlops());
        o.put("bottlenecks", bottlenecks(p));
        if (p.recompute() != null) o.put("recomputePlan", PlanFiles.of(p).stages());
        return o;
    }

    /** JSON text of one object tree. */
    public static String json(Object tree) {
        try {
            return JSON.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
