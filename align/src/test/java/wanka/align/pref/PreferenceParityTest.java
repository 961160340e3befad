package wanka.align.pref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.TorchReference;
import wanka.align.ops.AlignOps;
import wanka.align.sft.SftDataset;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.io.ModelFormatException;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DPO + NLL (sigmoid, IPO, hinge) and the Bradley–Terry reward model against the PyTorch reference on a tiny model. */
class PreferenceParityTest {
    static final List<String> GRADS = List.of("transformer.h.0.self_attention.query.weight", "transformer.h.1.mlp.down_proj.weight",
            "transformer.ln_f.weight", "lm_head.weight", "transformer.word_embeddings.weight");

    private static CpuDevice cpu;
    private static ChatTemplate template;
    private static Tokenizer tok;
    private static TorchReference torch;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = CpuDevice.withThreads(2);
        tok = Fixtures.tokenizer();
        template = SftDataset.template(tok);
        torch = TorchReference.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (torch != null) torch.close();
        cpu.close();
    }

    static List<PreferencePair> pairs() {
        return List.of(new PreferencePair("what is a cat", "a cat is helpful", "the dog", 1.0, Double.NaN),
                new PreferencePair("hello", "hello world you are", "mat", 0.0, Double.NaN),
                new PreferencePair("question", "the answer", "what is the question on the mat", 0.5, Double.NaN));
    }

    private static ArrayNode doubles(double[] d) {
        ArrayNode a = TorchReference.JSON.createArrayNode();
        for (double v : d) a.add(v);
        return a;
    }

    private static ArrayNode ints(int[] d) {
        ArrayNode a = TorchReference.JSON.createArrayNode();
        for (int v : d) a.add(v);
        return a;
    }

    /** Token masks of rows [from, to): the response tokens (targets shifted back by one). */
    private static ArrayNode masks(PairBatch b, int from, int to) {
        ArrayNode a = TorchReference.JSON.createArrayNode();
        for (int r = from; r < to; r++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < b.seq(); t++) row.add(t > 0 && b.targets()[r * b.seq() + t - 1] != -100 ? 1 : 0);
        }
        return a;
    }

    private static ArrayNode ids(PairBatch b, int from, int to) {
        ArrayNode a = TorchReference.JSON.createArrayNode();
        for (int r = from; r < to; r++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < b.seq(); t++) row.add(b.ids()[r * b.seq() + t]);
        }
        return a;
    }

    @Test
    void dpoPlusNllMatchesPyTorchForEveryVariant() throws Exception {
        PairBatch b = PairBatch.of(pairs(), template, 40, 3);
        TeleChat2 reference = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 20, 0.3f);
        double[] ref = PolicyLogProbs.reference(reference, b);
        int n = b.pairs();
        double[] refC = java.util.Arrays.copyOf(ref, n), refR = java.util.Arrays.copyOfRange(ref, n, 2 * n);
        TeleChat2 policy = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 21, 0.3f);
        Path dir = tmp.resolve("policy");
        ModelIO.save(policy, dir);
        for (PreferenceLoss kind : List.of(new PreferenceLoss.Sigmoid(), new PreferenceLoss.Ipo(), new PreferenceLoss.Hinge())) {
            DpoLoss dpo = new DpoLoss(kind instanceof PreferenceLoss.Hinge ? 0.01 : 0.1, 0.7, kind);
            policy.parameters().values().forEach(Tensor::zeroGrad);
            Tensor logps = PolicyLogProbs.of(policy, b);
            Tensor loss = AlignOps.vectorLoss(logps, dpo.over(refC, refR, b.chosenTokens()));
            float ours = loss.item();
            float[] ourLogps = logps.toArray(); // intermediates are freed by backward
            loss.backward();

            ObjectNode req = TorchReference.JSON.createObjectNode();
            req.put("op", "dpo").put("model_dir", dir.toString()).put("beta", dpo.beta()).put("alpha", dpo.alpha())
                    .put("loss_type", kind.getClass().getSimpleName().toLowerCase());
            req.set("chosen_ids", ids(b, 0, n));
            req.set("chosen_mask", masks(b, 0, n));
            req.set("rejected_ids", ids(b, n, 2 * n));
            req.set("rejected_mask", masks(b, n, 2 * n));
            req.set("ref_chosen", doubles(refC));
            req.set("ref_rejected", doubles(refR));
            GRADS.forEach(req.putArray("grads")::add);
            JsonNode out = torch.call(req);
            String tag = "DPO+NLL " + req.get("loss_type").asText();
            double[] torchLogps = new double[2 * n];
            for (int i = 0; i < n; i++) {
                torchLogps[i] = out.get("policy_chosen").get(i).asDouble();
                torchLogps[n + i] = out.get("policy_rejected").get(i).asDouble();
            }
            TorchReference.assertClose(tag + " sequence log-probs", ourLogps, torchLogps, 1e-5, 1);
            TorchReference.assertClose(tag + " loss", new float[]{ours}, new double[]{out.get("loss").asDouble()}, 1e-5, 1);
            for (String name : GRADS) {
                double[] g = TorchReference.flatten(out.get("grads").get(name));
                TorchReference.assertClose(tag + " d loss / d " + name, policy.parameters().get(name).grad().toArray(), g, 1e-3, 1e-3);
            }
        }
    }

    @Test
    void rewardModelLossMatchesPyTorchAndSavesWithItsHead() throws Exception {
        PairBatch b = PairBatch.of(pairs(), template, 40, 3);
        RewardModel rm = RewardModel.create(TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 30, 0.3f), cpu, 4);
        Path dir = tmp.resolve("rm");
        rm.save(dir);
        BradleyTerry bt = new BradleyTerry(0.01);
        Tensor rewards = rm.rewards(b);
        Tensor loss = AlignOps.vectorLoss(rewards, bt.over(b.margins()));
        float ours = loss.item();
        float[] ourRewards = rewards.toArray();
        loss.backward();
        int n = b.pairs();
        ObjectNode req = TorchReference.JSON.createObjectNode();
        req.put("op", "rm").put("model_dir", dir.toString()).put("head_file", dir.resolve(RewardModel.HEAD_FILE).toString()).put("center", 0.01);
        req.set("chosen_ids", ids(b, 0, n));
        req.set("rejected_ids", ids(b, n, 2 * n));
        req.set("chosen_last", ints(java.util.Arrays.copyOf(b.last(), n)));
        req.set("rejected_last", ints(java.util.Arrays.copyOfRange(b.last(), n, 2 * n)));
        req.set("margins", doubles(b.margins()));
        GRADS.stream().filter(g -> !g.equals("lm_head.weight")).forEach(req.putArray("grads")::add);
        JsonNode out = torch.call(req);
        double[] torchRewards = new double[2 * n];
        for (int i = 0; i < n; i++) {
            torchRewards[i] = out.get("chosen_rewards").get(i).asDouble();
            torchRewards[n + i] = out.get("rejected_rewards").get(i).asDouble();
        }
        TorchReference.assertClose("RM rewards", ourRewards, torchRewards, 1e-5, 1);
        TorchReference.assertClose("RM Bradley-Terry loss (margins, centring 0.01)", new float[]{ours}, new double[]{out.get("loss").asDouble()}, 1e-5, 1);
        TorchReference.assertClose("RM d loss / d score.weight", rm.score().grad().toArray(), TorchReference.flatten(out.get("grads").get("score.weight")), 1e-3, 1e-3);
        for (String name : GRADS) {
            if (name.equals("lm_head.weight")) continue;
            TorchReference.assertClose("RM d loss / d " + name, rm.model().parameters().get(name).grad().toArray(),
                    TorchReference.flatten(out.get("grads").get(name)), 1e-3, 1e-3);
        }
        assertThat(rm.model().lmHead().grad()).isNull(); // the LM head plays no part in the reward

        RewardModel back = RewardModel.load(dir, cpu);
        try (var ignored = cpu.noGrad()) {
            assertThat(back.rewards(b).toArray()).containsExactly(rm.rewards(b).toArray());
        }
        Files.delete(dir.resolve(RewardModel.HEAD_FILE));
        assertThatThrownBy(() -> RewardModel.load(dir, cpu)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("reward_head.safetensors");
    }
}
