package wanka.align.lora;

import java.util.EnumSet;
import java.util.Set;

/**
 * A LoRA adapter's shape: rank {@code r}, scale {@code alpha / r}, dropout on the adapter's input, the adapted
 * projections, and the seed of A's initialisation and of the dropout masks.
 */
public record LoraConfig(int r, double alpha, double dropout, Set<LoraTarget> targets, long seed) {
    public LoraConfig {
        if (r < 1) throw new IllegalArgumentException("--lora-r must be >= 1, got " + r);
        if (!(alpha > 0)) throw new IllegalArgumentException("--lora-alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--lora-dropout must be in [0, 1), got " + dropout);
        if (targets.isEmpty()) throw new IllegalArgumentException("LoRA needs at least one target module");
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** The factor on the adapter's output, {@code alpha / r}. */
    public float scale() {
        return (float) (alpha / r);
    }
}
