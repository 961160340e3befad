package wanka.train.parallel;

import wanka.tensor.OpTimes;
import wanka.data.Batch;
import wanka.model.TeleChat2Config;
import wanka.model.layers.Block;
import wanka.model.layers.Rotary;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * The layers one pipeline rank runs as one virtual stage: the embedding if it is the first stage, a run of
 * consecutive blocks, and {@code ln_f} with the LM head and loss if it is the last; computed exactly as
 * {@code TeleChat2.hidden} and {@code TeleChat2.loss} do, with tensor-parallel pieces where the layout asks.
 * Each block's input, and the head's, passes a {@link CommOps#gate} so the gradient sync learns when the
 * layer's backward is over.
 *
 * @param embedding this rank's rows of {@code word_embeddings} (first stage), else null
 * @param vocabStart the first vocabulary row this rank holds (tensor parallel)
 * @param groups readiness group of each block, in order
 * @param headGroup readiness group of {@code ln_f} and {@code lm_head} (last stage), else -1
 * @param embeddingGroup readiness group of the embedding (first stage), else -1
 */
record ModelChunk(int index, RankEnv env, Tensor embedding, List<Block> blocks, Tensor lnF, Tensor lmHead, int vocabStart,
                  int[] groups, int headGroup, int embeddingGroup, IntConsumer onBackward) {

    boolean first() {
        return embedding != null;
    }

    boolean last() {
        return lmHead != null;
    }

    /** Every readiness group of this chunk. */
    int[] allGroups() {
        return java.util.stream.IntStream.concat(java.util.Arrays.stream(groups),
                java.util.stream.IntStream.of(headGroup, embeddingGroup).filter(g -> g >= 0)).toArray();
    }

    /**
     * The forward pass on this data-parallel rank's rows {@code batch}: from the token ids (first stage) or from
     * {@code input} (the previous stage's output); returns the output activation, or the mean loss on the last stage.
     */
    Tensor forward(Tensor input, Batch batch) {
        TeleChat2Config c = env.config();
        var tp = env.mesh().tp();
        Rotary rotary = Rotary.telechat2(c.headDim(), batch.seq(), c.trainingSeqlen(), c.baseSeqlen(), c.ropeTheta());
        Tensor x;
        if (first()) {
            if (tp.size() == 1) {
                x = Ops.embedding(embedding, batch.inputs(), batch.batch(), batch.seq());
            } else {
                Tensor part = VocabParallel.embeddingPart(embedding, vocabStart, batch.inputs(), batch.batch(), batch.seq());
                x = env.layout().splitsRows() ? CommOps.reduceScatterRows(part, env.comm(), tp) : CommOps.reduceFromGroup(part, env.comm(), tp);
            }
        } else {
            x = input;
        }
        for (int i = 0; i < blocks.size(); i++) {
            x = CommOps.gate(x, groups[i], onBackward);
            x = blocks.get(i).forward(x, rotary);
        }
        if (!last()) return x;
        x = CommOps.gate(x, headGroup, onBackward);
        Tensor h = Ops.rmsNorm(x, lnF, (float) c.layerNormEpsilon());
        if (tp.size() == 1) return Ops.lmHeadCrossEntropy(h, lmHead, batch.targets());
        h = env.layout().splitsRows()
                ? CommOps.gatherRows(h, env.comm(), tp, batch.batch(), batch.seq(), c.hiddenSize())
                : CommOps.copyToGroup(h, env.comm(), tp);
        OpTimes times = h.device().opTimes();
        long t0 = System.nanoTime();
        Tensor loss = VocabParallel.crossEntropy(h, lmHead, vocabStart, batch.targets(), env.comm(), tp);
        if (times != null) times.add("vocab_parallel_cross_entropy", t0);
        return loss;
    }
}
