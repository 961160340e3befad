package wanka.train.mix;

import wanka.data.Batch;
import wanka.data.mix.MixedBatch;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training loss of a mixed micro-batch together with each domain's share of it, from one forward pass.
 *
 * <p>The model runs once to its final hidden states; the rows of each domain (contiguous, since a
 * {@link MixedBatch} groups them) are sliced out with a differentiable copy and fed to the fused LM-head
 * cross-entropy separately, which yields each domain's mean token loss ℓ_d over its n_d target tokens. The
 * loss that is back-propagated is Σ_d (n_d / n)·ℓ_d: the same mean over all n tokens (and so the same gradient,
 * up to float rounding) that {@link TeleChat2#loss} gives, at the same LM-head cost. A single-domain
 * micro-batch takes {@link TeleChat2#loss} itself, so unmixed training is unchanged bit for bit.
 *
 * @param loss     the scalar mean token loss (with autograd history when grad is enabled)
 * @param lossSum  per domain: sum over its target tokens of the token loss (ℓ_d·n_d)
 * @param tokens   per domain: number of target tokens (not {@code -100})
 */
public record DomainLoss(Tensor loss, double[] lossSum, long[] tokens) {

    private static final int IGNORE = -100;

    public static DomainLoss of(TeleChat2 model, MixedBatch mixed, int domains) {
        Batch b = mixed.batch();
        int seq = b.seq();
        int[] rowDomain = mixed.rowDomain();
        double[] sum = new double[domains];
        long[] tokens = new long[domains];
        List<int[]> groups = new ArrayList<>(); // {domain, firstRow, endRow}
        for (int r = 0; r < b.batch(); ) {
            int end = r;
            while (end < b.batch() && rowDomain[end] == rowDomain[r]) end++;
            groups.add(new int[]{rowDomain[r], r, end});
            for (int i = r * seq; i < end * seq; i++) if (b.targets()[i] != IGNORE) tokens[rowDomain[r]]++;
            r = end;
        }
        long total = Arrays.stream(tokens).sum();
        if (groups.size() == 1) {
            Tensor loss = model.loss(b.inputs(), b.targets(), b.batch(), seq);
            sum[groups.getFirst()[0]] = (double) loss.item() * total;
            return new DomainLoss(loss, sum, tokens);
        }
        Tensor hidden = model.hidden(b.inputs(), b.batch(), seq);
        Tensor lmHead = model.parameters().get("lm_head.weight");
        List<Tensor> parts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int[] g : groups) {
            int d = g[0];
            long n = 0;
            for (int i = g[1] * seq; i < g[2] * seq; i++) if (b.targets()[i] != IGNORE) n++;
            if (n == 0) continue;
            Tensor rows = RowSlice.rows(hidden, g[1] * seq, g[2] * seq);
            Tensor part = Ops.lmHeadCrossEntropy(rows, lmHead, Arrays.copyOfRange(b.targets(), g[1] * seq, g[2] * seq));
            sum[d] += (double) part.item() * n;
            if (rows.gradFn() == null) rows.release(); // no grad: nothing will read it again
            parts.add(part);
            weights.add((double) n / total);
        }
        if (hidden.gradFn() == null) hidden.release();
        if (parts.isEmpty()) return new DomainLoss(model.loss(b.inputs(), b.targets(), b.batch(), seq), sum, tokens);
        Tensor loss = WeightedSum.of(parts, weights.stream().mapToDouble(Double::doubleValue).toArray());
        return new DomainLoss(loss, sum, tokens);
    }
}
