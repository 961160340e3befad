package wanka.plan;

/** ZeRO optimizer sharding over the data-parallel group (Rajbhandari et al. 2019, §2.4). */
public enum ZeroStage {
    /** Nothing sharded: every DP rank holds weights, gradients and optimizer state. */
    ZERO_0,
    /** Optimizer state sharded (Megatron's distributed optimizer). */
    ZERO_1,
    /** Optimizer state and gradients sharded. */
    ZERO_2,
    /** Optimizer state, gradients and weights sharded; weights gathered per layer. */
    ZERO_3;

    /** @return the stage of this number (0–3) */
    public static ZeroStage of(int stage) {
        if (stage < 0 || stage > 3) throw new IllegalArgumentException("ZeRO stage must be 0, 1, 2 or 3, got " + stage);
        return values()[stage];
    }
}
