package wanka.plan;

import java.util.EnumMap;
import java.util.Map;

/**
 * What {@code --recompute} asks for: a uniform mode (none, selective, full) for every layer, or a per-op choice
 * (F5): {@code auto} optimised under the memory budget, a user-specified list, or both ({@code auto,mlp-act-out}
 * fixes the listed storages and optimises the rest).
 */
public sealed interface RecomputeRequest permits RecomputeRequest.Uniform, RecomputeRequest.PerOp {

    /** The same mode on every layer. */
    record Uniform(Recompute mode) implements RecomputeRequest {
    }

    /**
     * Per layer and op.
     *
     * @param optimise whether the activations not listed are chosen by {@link RecomputeOptimizer} (else they are kept)
     * @param forced   the storages the user fixed
     */
    record PerOp(boolean optimise, Map<SavedActivation, Storage> forced) implements RecomputeRequest {
        public PerOp {
            forced = Map.copyOf(forced);
        }

        /** @return the fixed storages: the user's, plus keep for every other activation unless optimising */
        public Map<SavedActivation, Storage> constraints() {
            if (optimise) return forced;
            EnumMap<SavedActivation, Storage> all = new EnumMap<>(SavedActivation.class);
            for (SavedActivation a : SavedActivation.values()) all.put(a, Storage.KEEP);
            all.putAll(forced);
            return all;
        }
    }

    /**
     * Parses {@code none}, {@code selective}, {@code full}, or a comma list of {@code auto} and activations, each
     * recomputed, or held as {@code ACT:keep}, {@code ACT:slice} or {@code ACT:recompute}.
     */
    static RecomputeRequest parse(String s) {
        for (Recompute r : Recompute.all()) if (r.label().equalsIgnoreCase(s.trim())) return new Uniform(r);
        boolean auto = false;
        EnumMap<SavedActivation, Storage> forced = new EnumMap<>(SavedActivation.class);
        for (String item : s.split(",")) {
            String it = item.trim();
            if (it.isEmpty()) continue;
            if (it.equalsIgnoreCase("auto")) {
                auto = true;
                continue;
            }
            String[] kv = it.split(":", 2);
            Storage st = Storage.RECOMPUTE;
            if (kv.length == 2) {
                try {
                    st = Storage.valueOf(kv[1].trim().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown storage '" + kv[1] + "' in --recompute " + s + "; known: keep, slice, recompute");
                }
            }
            SavedActivation a;
            try {
                a = SavedActivation.parse(kv[0].trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--recompute " + s + ": " + e.getMessage()
                        + "; or one of none, selective, full, auto", e);
            }
            forced.put(a, st);
        }
        if (!auto && forced.isEmpty()) throw new IllegalArgumentException("--recompute is empty; use none, selective, full, auto or a list of activations");
        return new PerOp(auto, forced);
    }
}
