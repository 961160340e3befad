package wanka.align.sft;

import wanka.align.train.Objective;
import wanka.model.TeleChat2;

import java.util.Map;

/** SFT as an {@link Objective}: micro-batch {@code step·gradAccum + micro} of the batches, masked loss ({@link SftLoss}). */
public record SftObjective(TeleChat2 model, SftBatchSource batches, int gradAccum) implements Objective {
    @Override
    public Micro micro(long step, int micro) {
        SftBatch b = batches.get(step * gradAccum + micro);
        return new Micro(SftLoss.of(model, b), b.trainedTokens(), Map.of("samples", (double) b.samples()));
    }

    @Override
    public long dataTokens() {
        return batches.dataTokens();
    }
}
