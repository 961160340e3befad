package wanka.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How one layer holds each of its {@link SavedActivation}s for backward: a per-layer, per-op recompute choice (F5).
 * Tensors not in the map are kept.
 *
 * @param choice the storage of each activation that is not simply kept
 */
public record LayerRecompute(Map<SavedActivation, Storage> choice) {

    /** Keeps a copy without the {@link Storage#KEEP} entries, so equal choices are equal records. */
    public LayerRecompute {
        EnumMap<SavedActivation, Storage> c = new EnumMap<>(SavedActivation.class);
        choice.forEach((a, s) -> {
            if (s != Storage.KEEP) c.put(a, s);
        });
        if (c.containsKey(SavedActivation.LAYER_INPUT)) throw new IllegalArgumentException("the layer input is always kept");
        choice = Collections.unmodifiableMap(c);
    }

    /** Keep everything. */
    public static final LayerRecompute KEEP_ALL = new LayerRecompute(Map.of());

    /**
     * The choice equal to a uniform mode, so that its bytes are the §2.3 rows: none keeps everything except that with
     * sequence parallelism the two linear inputs are sliced (Megatron gathers them again in backward, hence 34sbh/t);
     * selective adds the attention core: its scores, or with fused attention its softmax statistics (4sba/t, which
     * §2.3's table leaves in place; Megatron-LM's core-attention recompute and wanka's drop them); full recomputes
     * everything but the layer input (2sbh, ÷t with SP).
     */
    public static LayerRecompute of(Recompute mode, ModelSpec m, int t, boolean sp) {
        EnumMap<SavedActivation, Storage> c = new EnumMap<>(SavedActivation.class);
        switch (mode) {
            case Recompute.Full f -> {
                for (SavedActivation a : SavedActivation.values()) {
                    if (a.options(m, t).contains(Storage.RECOMPUTE)) c.put(a, Storage.RECOMPUTE);
                }
            }
            case Recompute.Selective s -> {
                if (sp && t > 1) sliceLinearInputs(c);
                c.put(SavedActivation.ATTN_SCORES, Storage.RECOMPUTE);
            }
            case Recompute.None n -> {
                if (sp && t > 1) sliceLinearInputs(c);
            }
        }
        return new LayerRecompute(c);
    }

    private static void sliceLinearInputs(Map<SavedActivation, Storage> c) {
        c.put(SavedActivation.ATTN_NORM_OUT, Storage.SLICE);
        c.put(SavedActivation.MLP_NORM_OUT, Storage.SLICE);
    }

    /** @return how {@code a} is held */
    public Storage storage(SavedActivation a) {
        return choice.getOrDefault(a, Storage.KEEP);
    }

    /** Bytes this layer keeps for one micro-batch on one TP rank. */
    public double keptBytes(ModelSpec m, long s, long b, int t, boolean sp) {
        double sum = 0;
        for (SavedActivation a : SavedActivation.values()) sum += a.bytes(m, s, b, t, sp, storage(a));
        return sum;
    }

    /** Bytes rebuilt at the start of this layer's backward (the transient of recomputation): kept-all minus kept. */
    public double rebuiltBytes(ModelSpec m, long s, long b, int t, boolean sp) {
        return KEEP_ALL.keptBytes(m, s, b, t, sp) - keptBytes(m, s, b, t, sp);
    }

    /** @return the labels of the recomputed activations, in layer order */
    public List<String> recomputed() {
        return labels(Storage.RECOMPUTE);
    }

    /** @return the labels of the sliced (all-gathered again in backward) activations */
    public List<String> regathered() {
        return labels(Storage.SLICE);
    }

    /** @return how many activations are not simply kept */
    public int changes() {
        return choice.size();
    }

    private List<String> labels(Storage st) {
        List<String> out = new ArrayList<>();
        choice.forEach((a, s) -> {
            if (s == st) out.add(a.label());
        });
        return out;
    }

    /** The choice of these recomputed and regathered labels (as a plan file or the command line lists them). */
    public static LayerRecompute of(List<String> recompute, List<String> regather) {
        EnumMap<SavedActivation, Storage> c = new EnumMap<>(SavedActivation.class);
        for (String r : recompute) c.put(SavedActivation.parse(r), Storage.RECOMPUTE);
        for (String r : regather) {
            SavedActivation a = SavedActivation.parse(r);
            if (c.containsKey(a)) throw new IllegalArgumentException(r + " is both recomputed and regathered");
            c.put(a, Storage.SLICE);
        }
        return new LayerRecompute(c);
    }

    /** e.g. {@code recompute qkv, mlp-act-out; regather attn-norm-out}, or {@code keep all}. */
    public String describe() {
        if (choice.isEmpty()) return "keep all";
        List<String> parts = new ArrayList<>();
        if (!recomputed().isEmpty()) parts.add("recompute " + String.join(", ", recomputed()));
        if (!regathered().isEmpty()) parts.add("regather " + String.join(", ", regathered()));
        return String.join("; ", parts);
    }
}
