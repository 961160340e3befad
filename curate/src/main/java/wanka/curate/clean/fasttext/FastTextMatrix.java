package wanka.curate.clean.fasttext;

/**
 * A matrix of a fastText model, read row by row: the input matrix (one row per word and hashed n-gram) and
 * the output matrix (one row per label, or per inner node of the hierarchical-softmax tree). Arithmetic is in
 * {@code float} in fastText's order, so sums match the C++ implementation's.
 */
sealed interface FastTextMatrix permits DenseMatrix, QuantizedMatrix {
    /** Number of rows. */
    long rows();

    /** Number of columns (the model's dimension). */
    int cols();

    /** {@code x += scale · row(i)}. */
    void addRowTo(float[] x, int i, float scale);

    /** {@code row(i) · x}. */
    float dotRow(float[] x, int i);
}
