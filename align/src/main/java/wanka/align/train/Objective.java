package wanka.align.train;

import wanka.tensor.Tensor;

import java.util.Map;

/**
 * What a post-training run minimises, one micro-batch at a time: SFT's masked cross-entropy, the reward model's
 * Bradley–Terry loss, DPO + NLL. The {@link PostTrainer} owns the optimizer loop; an objective only builds the loss.
 */
public interface Objective {

    /** One micro-batch's result: the scalar loss to back-propagate, its token count and extra metrics to log. */
    record Micro(Tensor loss, long tokens, Map<String, Double> metrics) {
        public Micro {
            metrics = Map.copyOf(metrics);
        }
    }

    /** The loss of micro-batch {@code micro} of optimizer step {@code step} (both 0-based). */
    Micro micro(long step, int micro);

    /**
     * The tokens of the whole training set as this objective lays it out: recorded in checkpoints, so that resuming on
     * other data is refused.
     */
    long dataTokens();
}
