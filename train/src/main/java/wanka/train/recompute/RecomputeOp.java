package wanka.train.recompute;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A part of a TeleChat2 layer whose activations backward recomputes instead of keeping (Korthikanti et al. 2022,
 * §5; Megatron-LM's {@code --recompute-granularity} and {@code --recompute-modules}). The name is how a
 * {@link RecomputePlan} file spells it.
 */
public enum RecomputeOp {
    /**
     * RoPE and the attention kernel ({@code SelfAttention.core}): keeps the query and key_value projections and the
     * context, drops the rotated copies of q and key_value. Flash-style attention never holds the s² scores, so
     * that is all "selective" can save here.
     */
    ATTENTION_CORE("attention_core"),
    /** The gate and up projections and SwiGLU ({@code Mlp.activation}): keeps their input and output, drops the two ffn-wide projections. */
    MLP_ACTIVATION("mlp_activation"),
    /** The whole layer: keeps only its input (full recomputation). */
    FULL("full");

    private final String key;

    RecomputeOp(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The op called {@code key} in a plan file; an unknown name is an error listing the known ones. */
    public static RecomputeOp of(String key) {
        for (RecomputeOp o : values()) if (o.key.equals(key)) return o;
        throw new IllegalArgumentException("unknown recompute op '" + key + "'; known: "
                + Arrays.stream(values()).map(RecomputeOp::key).collect(Collectors.joining(", ")));
    }
}
