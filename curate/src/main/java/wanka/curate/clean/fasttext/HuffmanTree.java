package wanka.curate.clean.fasttext;

/**
 * The binary tree of fastText's hierarchical softmax, rebuilt from the label counts as fastText builds it (a
 * Huffman tree: the two least frequent remaining nodes are merged, labels sorted by decreasing count). Leaves
 * are the labels {@code 0..n−1}; inner node {@code i ≥ n} uses output row {@code i − n}; the root is {@code 2n − 2}.
 * Prediction walks the tree depth first, pruning branches that cannot beat the k-th best label.
 */
final class HuffmanTree {
    private final int[] left, right;
    private final int labels;

    HuffmanTree(long[] counts) {
        int n = counts.length;
        this.labels = n;
        int size = Math.max(2 * n - 1, 0);
        left = new int[size];
        right = new int[size];
        long[] count = new long[size];
        java.util.Arrays.fill(left, -1);
        java.util.Arrays.fill(right, -1);
        java.util.Arrays.fill(count, (long) 1e15);
        System.arraycopy(counts, 0, count, 0, n);
        int leaf = n - 1, node = n;
        for (int i = n; i < size; i++) {
            int[] mini = new int[2];
            for (int j = 0; j < 2; j++) mini[j] = leaf >= 0 && count[leaf] < count[node] ? leaf-- : node++;
            left[i] = mini[0];
            right[i] = mini[1];
            count[i] = count[mini[0]] + count[mini[1]];
        }
    }

    /** The best {@code k} labels by log-probability, as (score, label) pairs in {@code best}, best first. */
    void predict(FastTextMatrix output, float[] hidden, int k, float threshold, TopK best) {
        if (labels == 0) return;
        dfs(output, hidden, k, stdLog(threshold), 2 * labels - 2, 0f, best);
    }

    private void dfs(FastTextMatrix output, float[] hidden, int k, float minScore, int node, float score, TopK best) {
        if (score < minScore) return;
        if (best.size() == k && score < best.worst()) return;
        if (left[node] == -1 && right[node] == -1) {
            best.offer(score, node, k);
            return;
        }
        float f = output.dotRow(hidden, node - labels);
        f = (float) (1.0 / (1 + (float) Math.exp(-f)));
        dfs(output, hidden, k, minScore, left[node], score + stdLog(1.0 - f), best);
        dfs(output, hidden, k, minScore, right[node], score + stdLog(f), best);
    }

    /** fastText's {@code std_log}: {@code log(x + 1e-5)} rounded to float. */
    static float stdLog(double x) {
        return (float) Math.log((float) x + 1e-5);
    }
}
