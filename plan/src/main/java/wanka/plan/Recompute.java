package wanka.plan;

import java.util.List;

/**
 * Which activations are recomputed in backward instead of kept (Korthikanti et al. 2022, §2.3). A sealed set so
 * that the later flexible recomputation (F5: a per-layer choice under a memory budget) adds a case here and every
 * switch over it is checked by the compiler.
 */
public sealed interface Recompute permits Recompute.None, Recompute.Selective, Recompute.Full {

    /** Name used on the command line and in reports. */
    String label();

    /** Keep every activation. */
    record None() implements Recompute {
        @Override
        public String label() {
            return "none";
        }
    }

    /** Recompute only the attention core (QKᵀ, softmax, dropout, ·V): drops the 5as²b term. */
    record Selective() implements Recompute {
        @Override
        public String label() {
            return "selective";
        }
    }

    /** Keep only each layer's input and rerun the whole layer forward in backward. */
    record Full() implements Recompute {
        @Override
        public String label() {
            return "full";
        }
    }

    Recompute NONE = new None();
    Recompute SELECTIVE = new Selective();
    Recompute FULL = new Full();

    /** @return all modes, cheapest in time first */
    static List<Recompute> all() {
        return List.of(NONE, SELECTIVE, FULL);
    }

    /** @return the mode of this label ("none", "selective", "full") */
    static Recompute parse(String s) {
        for (Recompute r : all()) if (r.label().equalsIgnoreCase(s)) return r;
        throw new IllegalArgumentException("unknown recompute mode '" + s + "'; known: none, selective, full");
    }
}
