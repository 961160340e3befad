package wanka.curate.clean.fasttext;

import java.io.IOException;

/**
 * fastText's product quantizer: a {@code dim}-vector is cut into {@code nsubq} sub-vectors of {@code dsub} floats
 * (the last one {@code lastdsub}), and each sub-vector is stored as the index of one of 256 centroids.
 * File layout: {@code int32 dim, nsubq, dsub, lastdsub}, then {@code dim · 256} float32 centroids, sub-quantizer by
 * sub-quantizer (the last sub-quantizer's centroids are {@code lastdsub} wide).
 */
final class ProductQuantizer {
    static final int KSUB = 256;
    final int dim, nsubq, dsub, lastdsub;
    private final float[] centroids;

    private ProductQuantizer(int dim, int nsubq, int dsub, int lastdsub, float[] centroids) {
        this.dim = dim;
        this.nsubq = nsubq;
        this.dsub = dsub;
        this.lastdsub = lastdsub;
        this.centroids = centroids;
    }

    static ProductQuantizer read(ModelReader in, String what) throws IOException {
        int dim = in.int32(what + " dim"), nsubq = in.int32(what + " nsubq"), dsub = in.int32(what + " dsub"), last = in.int32(what + " lastdsub");
        if (dim <= 0 || nsubq <= 0 || dsub <= 0 || last <= 0 || (long) (nsubq - 1) * dsub + last != dim)
            throw in.corrupt(what + " has inconsistent sizes: dim " + dim + ", nsubq " + nsubq + ", dsub " + dsub + ", lastdsub " + last);
        return new ProductQuantizer(dim, nsubq, dsub, last, in.floats(dim * KSUB, what + " centroids"));
    }

    /** Offset of centroid {@code c} of sub-quantizer {@code m}. */
    private int centroid(int m, int c) {
        return m == nsubq - 1 ? m * KSUB * dsub + c * lastdsub : (m * KSUB + c) * dsub;
    }

    /** First component of centroid {@code c} of the (one-dimensional) first sub-quantizer: a quantized norm. */
    float scalar(int c) {
        return centroids[centroid(0, c)];
    }

    /** {@code x += alpha · decode(codes[row])}. */
    void addCode(float[] x, byte[] codes, int row, float alpha) {
        int base = nsubq * row, d = dsub;
        for (int m = 0; m < nsubq; m++) {
            int c = centroid(m, codes[base + m] & 0xFF);
            if (m == nsubq - 1) d = lastdsub;
            int o = m * dsub;
            for (int n = 0; n < d; n++) x[o + n] += alpha * centroids[c + n];
        }
    }

    /** {@code alpha · (decode(codes[row]) · x)}. */
    float mulCode(float[] x, byte[] codes, int row, float alpha) {
        float res = 0;
        int base = nsubq * row, d = dsub;
        for (int m = 0; m < nsubq; m++) {
            int c = centroid(m, codes[base + m] & 0xFF);
            if (m == nsubq - 1) d = lastdsub;
            int o = m * dsub;
            for (int n = 0; n < d; n++) res += x[o + n] * centroids[c + n];
        }
        return res * alpha;
    }
}
