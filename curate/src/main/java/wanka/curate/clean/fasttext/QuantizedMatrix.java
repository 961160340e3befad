package wanka.curate.clean.fasttext;

import java.io.IOException;

/**
 * A product-quantized matrix ({@code .ftz} models, made by {@code fasttext quantize}): {@code bool qnorm, int64 rows,
 * int64 cols, int32 codesize}, the codes (one byte per sub-quantizer per row), the {@link ProductQuantizer}; with
 * {@code qnorm}, one byte per row indexing a second, one-dimensional quantizer that holds the row norms (rows are
 * then stored normalized and scaled back on use).
 */
final class QuantizedMatrix implements FastTextMatrix {
    private final long rows;
    private final int cols;
    private final byte[] codes;
    private final ProductQuantizer pq;
    private final byte[] normCodes;
    private final ProductQuantizer npq;

    private QuantizedMatrix(long rows, int cols, byte[] codes, ProductQuantizer pq, byte[] normCodes, ProductQuantizer npq) {
        this.rows = rows;
        this.cols = cols;
        this.codes = codes;
        this.pq = pq;
        this.normCodes = normCodes;
        this.npq = npq;
    }

    static QuantizedMatrix read(ModelReader in, String what) throws IOException {
        boolean qnorm = in.bool(what + " qnorm");
        long m = in.int64(what + " rows"), n = in.int64(what + " columns");
        int codeSize = in.int32(what + " code size");
        if (m < 0 || m > Integer.MAX_VALUE || n <= 0 || n > 1 << 16) throw in.corrupt(what + " has an impossible shape " + m + " × " + n);
        byte[] codes = in.bytes(codeSize, what + " codes");
        ProductQuantizer pq = ProductQuantizer.read(in, what + " quantizer");
        if (pq.dim != n || (long) pq.nsubq * m != codeSize)
            throw in.corrupt(what + ": " + codeSize + " codes do not fit " + m + " rows of " + pq.nsubq + " sub-quantizers of a " + pq.dim + "-vector");
        byte[] normCodes = null;
        ProductQuantizer npq = null;
        if (qnorm) {
            normCodes = in.bytes((int) m, what + " norm codes");
            npq = ProductQuantizer.read(in, what + " norm quantizer");
        }
        return new QuantizedMatrix(m, (int) n, codes, pq, normCodes, npq);
    }

    /**
     * The same rows decoded once into a {@link DenseMatrix}: each element is {@code norm · centroid}, the very float
     * product that {@link #addRowTo} adds with scale 1, so sums over dense rows are bit-identical to sums here.
     */
    DenseMatrix decode() {
        float[] data = new float[Math.toIntExact(rows * cols)];
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            java.util.Arrays.fill(row, 0f);
            pq.addCode(row, codes, i, norm(i));
            System.arraycopy(row, 0, data, i * cols, cols);
        }
        return new DenseMatrix(data, rows, cols);
    }

    private float norm(int i) {
        return normCodes == null ? 1f : npq.scalar(normCodes[i] & 0xFF);
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void addRowTo(float[] x, int i, float scale) {
        pq.addCode(x, codes, i, scale * norm(i));
    }

    @Override
    public float dotRow(float[] x, int i) {
        return pq.mulCode(x, codes, i, norm(i));
    }
}
