package wanka.train;

/**
 * One array in a rank's shard of a sharded checkpoint, described so that a reader with no knowledge of the layout
 * rules can put it back into the full tensor: the full tensor {@code name} (an HF parameter name) of shape
 * {@code fullShape} is cut along {@code splitDim} (-1: not cut) into {@code splitCount} equal blocks, of which this
 * rank holds block {@code splitIndex} (its "part"); the array is elements {@code [from, to)} of that part in row-major
 * order (ZeRO-1 gives a rank only a range of a part's optimizer moments).
 *
 * @param kind what the array holds
 */
public record ShardTensor(String name, Kind kind, int[] fullShape, int splitDim, int splitIndex, int splitCount, int from, int to) {

    /** The three arrays a rank saves per parameter: weights and AdamW's two moments. */
    public enum Kind {
        PARAM, EXP_AVG, EXP_AVG_SQ
    }

    public ShardTensor {
        if (splitDim < -1 || splitDim >= fullShape.length) throw new IllegalArgumentException(name + ": split dimension " + splitDim + " of a " + fullShape.length + "-d tensor");
        if (splitCount < 1 || splitIndex < 0 || splitIndex >= splitCount) throw new IllegalArgumentException(name + ": block " + splitIndex + " of " + splitCount);
        if (splitDim >= 0 && fullShape[splitDim] % splitCount != 0) throw new IllegalArgumentException(name + ": dimension " + fullShape[splitDim] + " does not split into " + splitCount);
        if (from < 0 || to < from || to > partNumel(fullShape, splitDim, splitCount)) throw new IllegalArgumentException(name + ": range [" + from + ", " + to + ") outside its part");
    }

    /** The key of the array in the shard's safetensors file. */
    public String key() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + name + "@" + from;
    }

    public int length() {
        return to - from;
    }

    public int fullNumel() {
        int n = 1;
        for (int d : fullShape) n *= d;
        return n;
    }

    private static int partNumel(int[] full, int dim, int count) {
        int n = 1;
        for (int d : full) n *= d;
        return dim < 0 ? n : n / count;
    }

    /**
     * Copies {@code values} (this array) into {@code full} (the whole tensor, row-major {@code fullShape}). Only the
     * last dimension's neighbours are contiguous in both, so a cut along dimension 1 of a matrix copies row by row.
     */
    public void placeInto(float[] values, float[] full) {
        if (values.length != length()) throw new IllegalArgumentException(key() + ": " + values.length + " values, expected " + length());
        if (splitDim < 0) {
            System.arraycopy(values, 0, full, from, length());
            return;
        }
        // Part coordinates: the part has the full shape with fullShape[splitDim] / splitCount along splitDim.
        int inner = 1; // elements per step of splitDim in the full tensor
        for (int d = splitDim + 1; d < fullShape.length; d++) inner *= fullShape[d];
        int partSpan = fullShape[splitDim] / splitCount * inner; // contiguous run of a part inside one outer index
        int fullSpan = fullShape[splitDim] * inner;
        int offsetInSpan = splitIndex * partSpan;
        int i = from;
        while (i < to) {
            int outer = i / partSpan, within = i % partSpan, n = Math.min(partSpan - within, to - i);
            System.arraycopy(values, i - from, full, outer * fullSpan + offsetInSpan + within, n);
            i += n;
        }
    }
}
