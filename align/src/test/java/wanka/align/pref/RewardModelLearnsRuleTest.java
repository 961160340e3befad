package wanka.align.pref;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.sft.SftDataset;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.ParamRole;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.AdamWOptimizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The reward model must generalise a rule that is visible in the tokens, not only memorise its training pairs: chosen
 * responses contain "cat", rejected ones "dog", both inside random filler; held-out pairs have fillers never seen in
 * training. Also: the Bradley–Terry gradient reaches the head and every layer of the backbone, and the reward is read at
 * the response's last token whatever the padding.
 */
class RewardModelLearnsRuleTest {
    private static final String[] FILLER = {"the", "sat", "on", "mat", "what", "is", "a", "answer", "question", "hello", "world", "you", "are", "helpful"};
    private static CpuDevice cpu;
    private static Tokenizer tok;
    private static ChatTemplate template;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
        tok = Fixtures.tokenizer();
        template = SftDataset.template(tok);
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    /** n pairs: the same random filler of 2–5 words with "cat" (chosen) or "dog" (rejected) at the same random place. */
    private static List<PreferencePair> pairs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            int len = 2 + r.nextInt(4);
            for (int k = 0; k < len; k++) words.add(FILLER[r.nextInt(FILLER.length)]);
            int at = r.nextInt(len + 1);
            List<String> c = new ArrayList<>(words), rej = new ArrayList<>(words);
            c.add(at, "cat");
            rej.add(at, "dog");
            String prompt = FILLER[r.nextInt(FILLER.length)] + " " + FILLER[r.nextInt(FILLER.length)];
            out.add(new LabelledPairs(0, 0).pairs(prompt, String.join(" ", c), null, String.join(" ", rej)).getFirst());
        }
        return out;
    }

    private static Map<String, Tensor> trainable(RewardModel rm) {
        Map<String, Tensor> p = new LinkedHashMap<>(rm.model().parameters());
        p.put(RewardModel.HEAD, rm.score());
        return p;
    }

    private static Map<String, ParamRole> roles(RewardModel rm) {
        Map<String, ParamRole> p = new LinkedHashMap<>(rm.model().parameterRoles());
        p.put(RewardModel.HEAD, ParamRole.HEAD);
        return p;
    }

    @Test
    void learnsATokenRuleToHeldOutAccuracyAbove90PercentIn60Steps() throws Exception {
        List<PreferencePair> train = pairs(96, 1);
        java.util.Set<String> seen = new java.util.HashSet<>(train.stream().map(PreferencePair::chosen).toList());
        List<PreferencePair> heldOut = pairs(80, 2).stream().filter(p -> !seen.contains(p.chosen())).limit(64).toList();
        assertThat(heldOut).hasSize(64);
        RewardModel rm = RewardModel.create(TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 7, 0.05f), cpu, 3);
        int seq = 64, pad = 3;
        double before = RewardObjective.accuracy(rm, heldOut, template, seq, pad);
        PostTrainOptions o = new PostTrainOptions(60, 1, 1e-3, 1e-4, 5, "cosine", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.0),
                0, tmp.resolve("rm"), 1, 8, seq);
        List<PostTrainer.StepLog> logs = new ArrayList<>();
        new PostTrainer(trainable(rm), roles(rm), new RewardObjective(rm, new BradleyTerry(0.01), train, template, 8, seq, pad, 1), o, cpu, d -> { })
                .run(logs::add);
        double after = RewardObjective.accuracy(rm, heldOut, template, seq, pad);
        double firstLoss = logs.subList(0, 5).stream().mapToDouble(PostTrainer.StepLog::loss).average().orElseThrow();
        double lastLoss = logs.subList(55, 60).stream().mapToDouble(PostTrainer.StepLog::loss).average().orElseThrow();
        assertThat(after).as("held-out accuracy (before %.3f; loss %.3f -> %.3f)", before, firstLoss, lastLoss).isGreaterThanOrEqualTo(0.9);
        assertThat(lastLoss).isLessThan(0.3);
    }

    @Test
    void gradientReachesTheHeadAndEveryLayer() throws Exception {
        RewardModel rm = RewardModel.create(TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 8, 0.05f), cpu, 4);
        RewardObjective obj = new RewardObjective(rm, new BradleyTerry(0), pairs(8, 5), template, 8, 48, 3, 1);
        Tensor loss = obj.micro(0, 0).loss();
        loss.backward();
        assertThat(rm.score().grad()).as("head gradient").isNotNull();
        assertThat(norm(rm.score().grad())).isGreaterThan(1e-6);
        for (var e : rm.model().parameters().entrySet()) {
            if (e.getKey().equals("lm_head.weight")) { // the reward model does not use the language-model head
                assertThat(e.getValue().grad()).isNull();
                continue;
            }
            assertThat(e.getValue().grad()).as("gradient of %s", e.getKey()).isNotNull();
            assertThat(norm(e.getValue().grad())).as("gradient of %s", e.getKey()).isGreaterThan(1e-9);
        }
    }

    @Test
    void rewardIsReadAtTheLastResponseTokenWhateverThePadding() throws Exception {
        RewardModel rm = RewardModel.create(TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 9, 0.05f), cpu, 5);
        List<PreferencePair> p = pairs(4, 6);
        try (var ignored = cpu.noGrad()) {
            float[] shortRows = rm.rewards(PairBatch.of(p.subList(0, 1), template, 40, 3)).toArray();
            float[] longRows = rm.rewards(PairBatch.of(p.subList(0, 1), template, 64, 0)).toArray();
            float[] batched = rm.rewards(PairBatch.of(p, template, 56, 3)).toArray();
            double[] scored = rm.score(List.of(p.getFirst().with(p.getFirst().chosen()), p.getFirst().with(p.getFirst().rejected())), template, 3);
            assertThat(longRows[0]).isCloseTo(shortRows[0], within(1e-4f));
            assertThat(longRows[1]).isCloseTo(shortRows[1], within(1e-4f));
            assertThat(batched[0]).isCloseTo(shortRows[0], within(1e-4f));
            assertThat(batched[4]).isCloseTo(shortRows[1], within(1e-4f));
            assertThat(scored[0]).isCloseTo(shortRows[0], within(1e-4));
            assertThat(scored[1]).isCloseTo(shortRows[1], within(1e-4));
            assertThat(shortRows[0]).isNotCloseTo(shortRows[1], within(1e-6f));
        }
    }

    private static double norm(Tensor g) {
        double s = 0;
        for (int i = 0; i < g.numel(); i++) s += (double) g.data()[g.offset() + i] * g.data()[g.offset() + i];
        return Math.sqrt(s);
    }
}
