package wanka.curate.clean.fasttext;

/**
 * The hyper-parameters stored at the head of a fastText model file (version 12, as written by fastText 0.9):
 * what prediction needs is the vector size, the loss (which output layer), the model kind (only supervised
 * classifiers predict labels), the hash bucket count, the character n-gram range and the word n-gram length.
 *
 * @param dim         vector size of the hidden layer
 * @param wordNgrams  word n-gram length (1: single words only)
 * @param loss        output layer: {@link #HS}, {@link #NS}, {@link #SOFTMAX} or {@link #OVA}
 * @param model       {@link #SUPERVISED} for classifiers (cbow and skip-gram models cannot predict labels)
 * @param bucket      number of hash buckets for character and word n-grams
 * @param minn        shortest character n-gram (bytes of UTF-8 counted as whole code points)
 * @param maxn        longest character n-gram (0: none)
 */
public record FastTextArgs(int dim, int wordNgrams, int loss, int model, int bucket, int minn, int maxn) {
    /** Hierarchical softmax over a Huffman tree of the labels (lid.176). */
    public static final int HS = 1;
    /** Negative sampling (predicts with independent sigmoids). */
    public static final int NS = 2;
    /** Full softmax. */
    public static final int SOFTMAX = 3;
    /** One-vs-all sigmoids. */
    public static final int OVA = 4;
    /** The supervised (classifier) model kind. */
    public static final int SUPERVISED = 3;

    /** The loss's name as fastText's {@code dump args} prints it. */
    public String lossName() {
        return switch (loss) {
            case HS -> "hs";
            case NS -> "ns";
            case SOFTMAX -> "softmax";
            case OVA -> "one-vs-all";
            default -> "unknown(" + loss + ")";
        };
    }
}
