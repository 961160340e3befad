package wanka.model;

/**
 * What a parameter is for. Declared once per weight, with its name and shape, in
 * {@link wanka.model.io.WeightNames#expected}; initialisation ({@link TeleChat2#initialize}) and the optimizer's
 * weight-decay split read the role instead of guessing it from the name. The decayed roles are exactly the 2-D
 * matrices, as in Megatron's and TeleChat's trainers.
 */
public enum ParamRole {
    /** The token embedding table [vocab, hidden]: initialised N(0, initializer_range), decayed. */
    EMBEDDING(true),
    /** A linear layer's weight matrix [out, in]: initialised N(0, initializer_range), decayed. */
    LINEAR_WEIGHT(true),
    /** The output projection {@code lm_head} [vocab, hidden]: initialised N(0, initializer_range), decayed. */
    HEAD(true),
    /** A linear layer's bias [out]: initialised to 0, not decayed. */
    BIAS(false),
    /** An RMSNorm gain [hidden]: initialised to 1, not decayed. */
    NORM_GAIN(false);

    private final boolean decays;

    ParamRole(boolean decays) {
        this.decays = decays;
    }

    /** Whether AdamW's decoupled weight decay applies to parameters of this role. */
    public boolean decays() {
        return decays;
    }
}
