package wanka.align.sft;

import wanka.model.TeleChat2;
import wanka.model.layers.Packing;
import wanka.tensor.Tensor;

/**
 * The masked SFT loss: mean next-token cross-entropy over the assistant tokens of a micro-batch,
 * {@code L = −(1/|A|) Σ_{(b,t)∈A} log softmax(h_{b,t}·Wᵀ)[x_{b,t+1}]}, where A holds the positions whose next token is
 * an assistant token (token-mean over the batch, as HF / TRL compute it). Prompt and padding positions carry target
 * -100 and contribute neither loss nor gradient. Packed rows ({@link SftPacker}) run with positions restarting per
 * sample and attention kept inside each sample, so they give the same loss as the samples in padded rows.
 */
public final class SftLoss {
    private SftLoss() {
    }

    /** The scalar loss of one micro-batch (with the graph recorded when the model's parameters require grad). */
    public static Tensor of(TeleChat2 model, SftBatch b) {
        if (b.packed()) return model.loss(b.inputs(), b.targets(), b.batch(), b.seq(), new Packing(b.positions(), b.segments()));
        return model.loss(b.inputs(), b.targets(), b.batch(), b.seq());
    }
}
