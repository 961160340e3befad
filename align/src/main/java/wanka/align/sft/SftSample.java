package wanka.align.sft;

import java.nio.file.Path;

/**
 * One rendered conversation: the token ids of TeleChat2's chat template and, per id, whether the loss is taken on it
 * (assistant content and the {@code <_end>} closing it).
 *
 * @param file     the dataset file it came from
 * @param line     its 1-based line number
 * @param ids      token ids
 * @param lossMask true where the id is an assistant token
 */
public record SftSample(Path file, long line, int[] ids, boolean[] lossMask) {
    public SftSample {
        if (ids.length != lossMask.length) throw new IllegalArgumentException(ids.length + " ids but " + lossMask.length + " mask entries");
    }

    public int length() {
        return ids.length;
    }

    /**
     * Next-token targets for inputs {@code ids}: {@code targets[t] = ids[t+1]} where {@code ids[t+1]} is an assistant
     * token, else {@code -100} (ignored); the last position has no next token. So the loss
     * {@code L = −(1/|A|) Σ_{t+1∈A} log p(ids[t+1] | ids[≤t])} covers exactly the assistant tokens A.
     */
    public int[] targets() {
        int[] t = new int[ids.length];
        for (int i = 0; i < ids.length; i++) t[i] = i + 1 < ids.length && lossMask[i + 1] ? ids[i + 1] : -100;
        return t;
    }

    /** Number of tokens the loss is taken on. */
    public int trainedTokens() {
        int n = 0;
        for (int i = 1; i < lossMask.length; i++) if (lossMask[i]) n++;
        return n;
    }
}
