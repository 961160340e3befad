package wanka.align.pref;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.TorchReference;
import wanka.align.sft.SftDataset;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.AdamWOptimizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reward-model and DPO training runs through the post-training loop, with their per-step metrics. */
class PreferenceTrainingTest {
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

    private static List<PreferencePair> labelled() {
        LabelledPairs lp = new LabelledPairs(1.0 / 3, 2.0 / 3);
        List<PreferencePair> out = new ArrayList<>();
        out.addAll(lp.pairs("what is a cat", "a cat is helpful", "a cat", "the mat the mat"));
        out.addAll(lp.pairs("hello", "hello world", null, "dog dog"));
        return out;
    }

    @Test
    void highMidLowGivesThreeOrderedPairsWithGradedMargins() {
        List<PreferencePair> p = new LabelledPairs(1.0 / 3, 2.0 / 3).pairs("q", "h", "m", "l");
        assertThat(p).extracting(PreferencePair::chosen).containsExactly("h", "h", "m");
        assertThat(p).extracting(PreferencePair::rejected).containsExactly("m", "l", "l");
        assertThat(p).extracting(PreferencePair::margin).containsExactly(1.0 / 3, 2.0 / 3, 1.0 / 3);
    }

    @Test
    void rewardModelLearnsTheOrderingAndDpoLogsRewardsMarginsAccuracies() throws Exception {
        List<PreferencePair> pairs = labelled();
        RewardModel rm = RewardModel.create(TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 40, 0.05f), cpu, 1);
        PostTrainOptions o = new PostTrainOptions(30, 1, 3e-3, 3e-3, 0, "constant", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0), 0, tmp.resolve("rm"), 1, 4, 40);
        var params = new java.util.LinkedHashMap<>(rm.model().parameters());
        params.put(RewardModel.HEAD, rm.score());
        var roles = new java.util.LinkedHashMap<>(rm.model().parameterRoles());
        roles.put(RewardModel.HEAD, wanka.model.ParamRole.HEAD);
        new PostTrainer(params, roles, new RewardObjective(rm, new BradleyTerry(0.01), pairs, template, 4, 40, 3, 1), o, cpu, rm::save).run(l -> { });
        assertThat(RewardObjective.accuracy(rm, pairs, template, 40, 3)).isEqualTo(1.0);
        assertThat(tmp.resolve("rm/checkpoints/step-00000030").resolve(RewardModel.HEAD_FILE)).isRegularFile();

        TeleChat2 policy = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 41, 0.05f);
        Path refDir = tmp.resolve("ref");
        ModelIO.save(policy, refDir);
        TeleChat2 reference = ModelIO.load(refDir, cpu);
        reference.parameters().values().forEach(t -> t.requiresGrad(false));
        DpoObjective dpo = new DpoObjective(policy, reference, pairs, new DpoLoss(0.1, 0.2, new PreferenceLoss.Sigmoid()), template, 3, 40, 3, 1);
        List<PostTrainer.StepLog> logs = new ArrayList<>();
        PostTrainOptions od = new PostTrainOptions(20, 1, 3e-3, 3e-3, 0, "constant", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0), 0, tmp.resolve("dpo"), 1, 3, 40);
        new PostTrainer(policy.parameters(), policy.parameterRoles(), dpo, od, cpu, d -> ModelIO.save(policy, d)).run(logs::add);
        // at step 1 the policy is the reference: rewards 0, DPO loss ln 2
        assertThat(logs.getFirst().metrics().get("dpo")).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(logs.getFirst().metrics().get("rewards_margin")).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(logs.getLast().metrics().get("rewards_margin")).isGreaterThan(0.1);
        assertThat(logs.getLast().metrics().get("rewards_accuracy")).isEqualTo(1.0);
        JsonNode line = TorchReference.JSON.readTree(Files.readAllLines(tmp.resolve("dpo/metrics.jsonl")).getLast());
        assertThat(line.has("rewards_chosen") && line.has("rewards_rejected") && line.has("rewards_margin") && line.has("rewards_accuracy") && line.has("nll")).isTrue();
        assertThat(dpo.referenceLogProbs()).hasSize(2);
    }
}
