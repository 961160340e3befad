package wanka.align.sft;

/** Micro-batches by number: padded rows ({@link SftBatches}) or packed rows ({@link SftPacker}). */
public interface SftBatchSource {
    /** Micro-batch number {@code k} (0-based, over all epochs); depends only on the seed and {@code k}. */
    SftBatch get(long k);

    /** The tokens of all samples the batches are drawn from (identifies the data in checkpoints). */
    long dataTokens();
}
