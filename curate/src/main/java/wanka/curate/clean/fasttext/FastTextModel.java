package wanka.curate.clean.fasttext;

import wanka.tokenizer.IntList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fastText supervised classifier read from its {@code .bin} or quantized {@code .ftz} file, predicting labels
 * the way {@code fasttext predict-prob} does: the input rows of a line's words, character n-grams and word
 * n-grams are averaged into a hidden vector, and the output layer (hierarchical softmax, softmax or
 * one-vs-all sigmoids) scores the labels. This is the model family datatrove's language filter uses
 * ({@code lid.176}); predictions match the C++ implementation's labels and probabilities (checked against the
 * {@code fasttext} command in the tests).
 *
 * <p>Immutable after loading and safe to share between threads.
 */
public final class FastTextModel {
    private static final int MAGIC = 793712314;
    private static final int VERSION = 12;
    private static final int SIGMOID_TABLE = 512;
    private static final float MAX_SIGMOID = 8;
    private static final long MAX_DECODED_FLOATS = 1L << 26;

    private final FastTextArgs args;
    private final FastTextDictionary dict;
    private final FastTextMatrix input, output;
    private final HuffmanTree tree;
    private final float[] sigmoid;

    /** One predicted label and its probability. */
    public record Prediction(String label, double probability) {
    }

    private FastTextModel(FastTextArgs args, FastTextDictionary dict, FastTextMatrix input, FastTextMatrix output) {
        this.args = args;
        this.dict = dict;
        this.input = input;
        this.output = output;
        this.tree = args.loss() == FastTextArgs.HS ? new HuffmanTree(dict.labelCounts()) : null;
        this.sigmoid = new float[SIGMOID_TABLE + 1];
        for (int i = 0; i <= SIGMOID_TABLE; i++) {
            float x = (float) (i * 2 * MAX_SIGMOID) / SIGMOID_TABLE - MAX_SIGMOID;
            sigmoid[i] = (float) (1.0 / (1.0 + Math.exp(-x)));
        }
    }

    /** Reads a model file; errors name the file and what is wrong with it. */
    public static FastTextModel load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such fastText model file");
        ModelReader in = new ModelReader(Files.readAllBytes(file), file);
        int magic = in.int32("magic number");
        if (magic != MAGIC) throw in.corrupt("it does not start with fastText's magic number (found " + Integer.toHexString(magic) + ")");
        int version = in.int32("version");
        if (version != VERSION) throw in.corrupt("format version " + version + " is not supported (this reader knows version " + VERSION + ", fastText 0.9)");
        int dim = in.int32("dim");
        in.int32("ws");
        in.int32("epoch");
        in.int32("minCount");
        in.int32("neg");
        int wordNgrams = in.int32("wordNgrams"), loss = in.int32("loss"), model = in.int32("model"), bucket = in.int32("bucket");
        int minn = in.int32("minn"), maxn = in.int32("maxn");
        in.int32("lrUpdateRate");
        in.float64("t");
        FastTextArgs args = new FastTextArgs(dim, wordNgrams, loss, model, bucket, minn, maxn);
        if (model != FastTextArgs.SUPERVISED) throw in.corrupt("it is a word-vector model (model kind " + model + "), not a classifier");
        if (loss < FastTextArgs.HS || loss > FastTextArgs.OVA) throw in.corrupt("unknown loss " + loss);
        if (dim <= 0 || bucket < 0 || wordNgrams < 1 || (maxn > 0 && (minn < 1 || minn > maxn)) || (bucket == 0 && (maxn > 0 || wordNgrams > 1)))
            throw in.corrupt("impossible arguments dim " + dim + ", bucket " + bucket + ", wordNgrams " + wordNgrams + ", minn " + minn + ", maxn " + maxn);
        FastTextDictionary dict = FastTextDictionary.read(in, args);
        boolean quantInput = in.bool("input quantization flag");
        FastTextMatrix input = quantInput ? QuantizedMatrix.read(in, "input matrix") : DenseMatrix.read(in, "input matrix");
        boolean quantOutput = in.bool("output quantization flag");
        FastTextMatrix output = quantInput && quantOutput ? QuantizedMatrix.read(in, "output matrix") : DenseMatrix.read(in, "output matrix");
        if (in.remaining() != 0) throw in.corrupt(in.remaining() + " bytes follow the output matrix");
        if (input.cols() != dim || output.cols() != dim) throw in.corrupt("matrix widths " + input.cols() + "/" + output.cols() + " differ from dim " + dim);
        if (input.rows() < dict.nwords()) throw in.corrupt("input matrix has " + input.rows() + " rows for " + dict.nwords() + " words");
        long outRows = loss == FastTextArgs.HS ? Math.max(dict.nlabels() - 1, 0) : dict.nlabels();
        if (output.rows() < outRows) throw in.corrupt("output matrix has " + output.rows() + " rows, the " + args.lossName() + " output needs " + outRows);
        // Input rows are summed for every token: decode a quantized input matrix once (lid.176.ftz: 7 MB of floats)
        // instead of on each use; the sums stay bit-identical (see QuantizedMatrix.decode).
        if (input instanceof QuantizedMatrix q && input.rows() * dim <= MAX_DECODED_FLOATS) input = q.decode();
        return new FastTextModel(args, dict, input, output);
    }

    public FastTextArgs args() {
        return args;
    }

    /** The labels, in the model's order, without the {@code __label__} prefix. */
    public List<String> labels() {
        List<String> l = new ArrayList<>(dict.nlabels());
        for (int i = 0; i < dict.nlabels(); i++) l.add(dict.label(i));
        return l;
    }

    /**
     * The {@code k} most probable labels of {@code text} with probability at least {@code threshold}, best first;
     * empty when the text yields no input rows. Line breaks are read as spaces (the text is one line).
     */
    public List<Prediction> predict(String text, int k, double threshold) {
        if (k <= 0) throw new IllegalArgumentException("k must be positive, got " + k);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        IntList ids = new IntList(256), hashes = new IntList(256);
        dict.lineIds(utf8, utf8.length, ids, hashes);
        List<Prediction> out = new ArrayList<>(k);
        if (ids.size() == 0) return out;
        float[] hidden = new float[args.dim()];
        for (int i = 0; i < ids.size(); i++) input.addRowTo(hidden, ids.get(i), 1f);
        float inv = (float) (1.0 / ids.size());
        for (int j = 0; j < hidden.length; j++) hidden[j] *= inv;
        TopK best = new TopK();
        int kk = Math.min(k, dict.nlabels());
        if (tree != null) tree.predict(output, hidden, kk, (float) threshold, best);
        else flatPredict(hidden, kk, (float) threshold, best);
        for (int i = 0; i < best.size(); i++) out.add(new Prediction(dict.label(best.label(i)), Math.exp(best.score(i))));
        return out;
    }

    /** Softmax or independent sigmoids over every label (fastText's {@code Loss::findKBest}). */
    private void flatPredict(float[] hidden, int k, float threshold, TopK best) {
        int n = dict.nlabels();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) o[i] = output.dotRow(hidden, i);
        if (args.loss() == FastTextArgs.SOFTMAX) {
            float max = o[0], z = 0;
            for (int i = 0; i < n; i++) max = Math.max(o[i], max);
            for (int i = 0; i < n; i++) {
                o[i] = (float) Math.exp(o[i] - max);
                z += o[i];
            }
            for (int i = 0; i < n; i++) o[i] /= z;
        } else {
            for (int i = 0; i < n; i++) o[i] = sigmoid(o[i]);
        }
        for (int i = 0; i < n; i++) {
            if (o[i] < threshold) continue;
            best.offer(HuffmanTree.stdLog(o[i]), i, k);
        }
    }

    /** fastText's table sigmoid (512 steps over [−8, 8]). */
    private float sigmoid(float x) {
        if (x < -MAX_SIGMOID) return 0f;
        if (x > MAX_SIGMOID) return 1f;
        return sigmoid[(int) ((x + MAX_SIGMOID) * SIGMOID_TABLE / MAX_SIGMOID / 2)];
    }
}
