package wanka.align.pref;

import wanka.align.ops.AlignOps;
import wanka.align.sft.BadSampleException;
import wanka.align.train.Objective;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reward-model training as an {@link Objective}: Bradley–Terry loss per micro-batch of pairs, logging the pairwise accuracy. */
public final class RewardObjective implements Objective {
    private final RewardModel rm;
    private final BradleyTerry bt;
    private final List<PairBatch> batches = new ArrayList<>();
    private final int gradAccum;

    public RewardObjective(RewardModel rm, BradleyTerry bt, List<PreferencePair> pairs, ChatTemplate template, int batch, int seq, int padId,
                           int gradAccum) throws BadSampleException {
        this.rm = rm;
        this.bt = bt;
        this.gradAccum = gradAccum;
        for (int i = 0; i < pairs.size(); i += batch) batches.add(PairBatch.of(pairs.subList(i, Math.min(pairs.size(), i + batch)), template, seq, padId));
    }

    @Override
    public Micro micro(long step, int micro) {
        PairBatch b = batches.get((int) ((step * gradAccum + micro) % batches.size()));
        Tensor r = rm.rewards(b);
        float[] v = r.toArray();
        int n = b.pairs();
        double[] c = new double[n], rej = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = v[i];
            rej[i] = v[n + i];
        }
        return new Micro(AlignOps.vectorLoss(r, bt.over(b.margins())), Arrays.stream(b.tokens()).sum(),
                Map.of("accuracy", BradleyTerry.accuracy(c, rej), "reward_chosen", Arrays.stream(c).average().orElse(0),
                        "reward_rejected", Arrays.stream(rej).average().orElse(0)));
    }

    /** Pairs per forward pass in {@link #accuracy}: bounded, so that a large eval set does not need its whole activations at once. */
    static final int ACCURACY_BATCH = 32;

    /** Pairwise accuracy of the reward model on held-out pairs (no graph), {@value #ACCURACY_BATCH} pairs per forward pass. */
    public static double accuracy(RewardModel rm, List<PreferencePair> pairs, ChatTemplate template, int seq, int padId) throws BadSampleException {
        int ok = 0;
        try (var ignored = rm.model().device().noGrad()) {
            for (int i = 0; i < pairs.size(); i += ACCURACY_BATCH) {
                PairBatch b = PairBatch.of(pairs.subList(i, Math.min(pairs.size(), i + ACCURACY_BATCH)), template, seq, padId);
                Tensor r = rm.rewards(b);
                float[] v = r.toArray();
                r.release();
                int n = b.pairs();
                for (int k = 0; k < n; k++) if (v[k] > v[n + k]) ok++;
            }
        }
        return (double) ok / pairs.size();
    }

    @Override
    public long dataTokens() {
        return batches.stream().mapToLong(b -> Arrays.stream(b.tokens()).sum()).sum();
    }
}
