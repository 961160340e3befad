package wanka.curate.clean.fasttext;

import java.io.IOException;

/** An uncompressed matrix ({@code .bin} models): {@code int64 rows, int64 cols}, then the rows as float32. */
final class DenseMatrix implements FastTextMatrix {
    private final float[] data;
    private final long rows;
    private final int cols;

    DenseMatrix(float[] data, long rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    static DenseMatrix read(ModelReader in, String what) throws IOException {
        long m = in.int64(what + " rows"), n = in.int64(what + " columns");
        if (m < 0 || n <= 0 || n > 1 << 16 || m * n > Integer.MAX_VALUE - 8)
            throw in.corrupt(what + " has an impossible shape " + m + " × " + n);
        return new DenseMatrix(in.floats((int) (m * n), what), m, (int) n);
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
        int o = i * cols;
        for (int j = 0; j < cols; j++) x[j] += scale * data[o + j];
    }

    @Override
    public float dotRow(float[] x, int i) {
        int o = i * cols;
        float s = 0;
        for (int j = 0; j < cols; j++) s += data[o + j] * x[j];
        return s;
    }
}
