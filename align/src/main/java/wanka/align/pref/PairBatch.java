package wanka.align.pref;

import wanka.align.sft.BadSampleException;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftSample;
import wanka.tokenizer.ChatTemplate;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * n preference pairs as one batch of 2n padded rows, chosen responses first ({@code [0, n)}) then rejected
 * ({@code [n, 2n)}), each rendered with TeleChat2's chat template as {@code <_user>prompt<_bot>response<_end>} (multi-turn
 * prompts and a system message as {@link SftDataset} renders them).
 *
 * @param ids      token ids [2n, seq]
 * @param targets  next-token targets of the response tokens (and their {@code <_end>}), -100 elsewhere
 * @param last     per row, the position of the response's {@code <_end>} (where a reward model reads its score)
 * @param tokens   per row, the number of response tokens (the NLL normaliser |y|)
 * @param margins  per pair, the reward-model margin
 */
public record PairBatch(int pairs, int seq, int[] ids, int[] targets, int[] last, int[] tokens, double[] margins) {

    public static PairBatch of(List<PreferencePair> pairs, ChatTemplate template, int seq, int padId) throws BadSampleException {
        int n = pairs.size(), rows = 2 * n;
        int[] ids = new int[rows * seq], targets = new int[rows * seq], last = new int[rows], tokens = new int[rows];
        double[] margins = new double[n];
        Arrays.fill(ids, padId);
        Arrays.fill(targets, -100);
        for (int r = 0; r < rows; r++) {
            PreferencePair p = pairs.get(r % n);
            String response = r < n ? p.chosen() : p.rejected();
            SftSample s = SftDataset.render(Path.of("pairs"), r % n + 1, p.with(response), template, seq);
            System.arraycopy(s.ids(), 0, ids, r * seq, s.length());
            System.arraycopy(s.targets(), 0, targets, r * seq, s.length());
            int end = s.length() - 1;
            while (!s.lossMask()[end]) end--;
            last[r] = end;
            tokens[r] = s.trainedTokens();
            if (r < n) margins[r] = p.margin();
        }
        return new PairBatch(n, seq, ids, targets, last, tokens, margins);
    }

    /** Flat row indices (row·seq + last) of each row's {@code <_end>}. */
    public int[] lastRows() {
        int[] out = new int[last.length];
        for (int r = 0; r < last.length; r++) out[r] = r * seq + last[r];
        return out;
    }

    /** Response token counts of the chosen rows. */
    public int[] chosenTokens() {
        return Arrays.copyOf(tokens, pairs);
    }
}
