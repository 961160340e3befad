package wanka.data.mix;

import wanka.data.Batch;

/** A micro-batch whose row {@code r} was drawn from domain {@code rowDomain[r]}; rows are grouped by domain in ascending order. */
public record MixedBatch(Batch batch, int[] rowDomain) {
    public MixedBatch {
        if (rowDomain.length != batch.batch()) throw new IllegalArgumentException(rowDomain.length + " row domains for " + batch.batch() + " rows");
        for (int r = 1; r < rowDomain.length; r++) {
            if (rowDomain[r] < rowDomain[r - 1]) throw new IllegalArgumentException("rows must be grouped by domain in ascending order");
        }
    }
}
