package wanka.align.pref;

import wanka.align.ops.AlignOps;
import wanka.align.sft.BadSampleException;
import wanka.align.train.Objective;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DPO + NLL as an {@link Objective}: micro-batch k holds pairs {@code k·batch …} (cycling over the data). The reference
 * model's log-probs of every pair are computed once, up front ({@link ReferenceLogProbs}, cached on disk by the CLI),
 * so the reference model need not stay in memory while the policy trains. Each micro-batch logs the loss parts, the
 * implicit rewards of chosen and rejected responses, their margin and the accuracy.
 */
public final class DpoObjective implements Objective {
    private final TeleChat2 policy;
    private final List<PairBatch> batches;
    private final List<double[]> reference; // per batch: [ref_c (n), ref_r (n)]
    private final DpoLoss loss;
    private final int gradAccum;

    /** Computes the reference log-probs with {@code reference} (null: the policy itself, before training). */
    public DpoObjective(TeleChat2 policy, TeleChat2 reference, List<PreferencePair> pairs, DpoLoss loss, ChatTemplate template,
                        int batch, int seq, int padId, int gradAccum) throws BadSampleException {
        this(policy, batches(pairs, template, batch, seq, padId), null, loss, gradAccum, reference == null ? policy : reference);
    }

    /** With reference log-probs already computed for exactly these batches. */
    public DpoObjective(TeleChat2 policy, List<PairBatch> batches, ReferenceLogProbs reference, DpoLoss loss, int gradAccum) {
        this(policy, batches, reference, loss, gradAccum, null);
    }

    private DpoObjective(TeleChat2 policy, List<PairBatch> batches, ReferenceLogProbs cached, DpoLoss loss, int gradAccum, TeleChat2 refModel) {
        this.policy = policy;
        this.loss = loss;
        this.gradAccum = gradAccum;
        this.batches = List.copyOf(batches);
        this.reference = cached != null ? cached.perBatch() : ReferenceLogProbs.compute(refModel, "", batches).perBatch();
        if (reference.size() != batches.size()) throw new IllegalArgumentException(reference.size() + " reference batches for " + batches.size() + " batches");
    }

    /** The pairs as batches of {@code batch} pairs (the last one may be smaller). */
    public static List<PairBatch> batches(List<PreferencePair> pairs, ChatTemplate template, int batch, int seq, int padId) throws BadSampleException {
        if (pairs.isEmpty()) throw new IllegalArgumentException("no preference pairs to train on");
        List<PairBatch> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += batch) out.add(PairBatch.of(pairs.subList(i, Math.min(pairs.size(), i + batch)), template, seq, padId));
        return out;
    }

    /** The reference log-probs, per batch: chosen then rejected. */
    public List<double[]> referenceLogProbs() {
        return List.copyOf(reference);
    }

    @Override
    public Micro micro(long step, int micro) {
        int k = (int) ((step * gradAccum + micro) % batches.size());
        PairBatch b = batches.get(k);
        int n = b.pairs();
        double[] ref = reference.get(k);
        double[] refC = Arrays.copyOf(ref, n), refR = Arrays.copyOfRange(ref, n, 2 * n);
        Tensor logps = PolicyLogProbs.of(policy, b);
        float[] lp = logps.toArray();
        double[] pc = new double[n], pr = new double[n];
        for (int i = 0; i < n; i++) {
            pc[i] = lp[i];
            pr[i] = lp[n + i];
        }
        DpoLoss.Stats s = loss.stats(pc, pr, refC, refR, b.chosenTokens());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("dpo", s.dpo());
        m.put("nll", s.nll());
        m.put("rewards_chosen", s.chosenReward());
        m.put("rewards_rejected", s.rejectedReward());
        m.put("rewards_margin", s.margin());
        m.put("rewards_accuracy", s.accuracy());
        long tokens = Arrays.stream(b.tokens()).sum();
        return new Micro(AlignOps.vectorLoss(logps, loss.over(refC, refR, b.chosenTokens())), tokens, m);
    }

    @Override
    public long dataTokens() {
        return batches.stream().mapToLong(b -> Arrays.stream(b.tokens()).sum()).sum();
    }
}
