package wanka.curate.clean.fasttext;

/** The k best (score, label) pairs seen so far, kept sorted best first (k is small: labels to report). */
final class TopK {
    private float[] scores = new float[4];
    private int[] labels = new int[4];
    private int n;

    int size() {
        return n;
    }

    /** The lowest kept score. */
    float worst() {
        return scores[n - 1];
    }

    float score(int i) {
        return scores[i];
    }

    int label(int i) {
        return labels[i];
    }

    /** Keeps (score, label) if it is among the best {@code k}. */
    void offer(float score, int label, int k) {
        if (n == k && score <= scores[n - 1]) return;
        if (n == scores.length) {
            scores = java.util.Arrays.copyOf(scores, n * 2);
            labels = java.util.Arrays.copyOf(labels, n * 2);
        }
        int i = n < k ? n++ : n - 1;
        while (i > 0 && scores[i - 1] < score) {
            scores[i] = scores[i - 1];
            labels[i] = labels[i - 1];
            i--;
        }
        scores[i] = score;
        labels[i] = label;
    }
}
