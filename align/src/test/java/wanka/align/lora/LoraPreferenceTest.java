package wanka.align.lora;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.pref.BradleyTerry;
import wanka.align.pref.DpoLoss;
import wanka.align.pref.DpoObjective;
import wanka.align.pref.LabelledPairs;
import wanka.align.pref.PairBatch;
import wanka.align.pref.PreferenceLoss;
import wanka.align.pref.PreferencePair;
import wanka.align.pref.ReferenceLogProbs;
import wanka.align.pref.RewardModel;
import wanka.align.sft.SftDataset;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LoRA on the reward model and on the DPO policy, checked against the full model with the adapters merged: the losses
 * agree, and the adapters' gradients are what the chain rule makes of the merged weight's gradient G = dL/dW' at
 * W' = W + s·B·A: dL/dB = s·G·Aᵀ and dL/dA = s·Bᵀ·G (the reward head's gradient agrees too).
 */
class LoraPreferenceTest {
    private static CpuDevice cpu;
    private static Tokenizer tok;
    private static ChatTemplate template;
    private static List<PreferencePair> pairs;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = CpuDevice.withThreads(2);
        tok = Fixtures.tokenizer();
        template = SftDataset.template(tok);
        LabelledPairs lp = new LabelledPairs(0.25, 0.5);
        pairs = new ArrayList<>();
        pairs.addAll(lp.pairs("what is a cat", "a cat is helpful", "a cat", "the mat the mat"));
        pairs.addAll(lp.pairs("hello", "hello world", null, "dog dog"));
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private static LoraAdapters attach(TeleChat2 model) {
        LoraAdapters lora = LoraAdapters.attach(model, new LoraConfig(3, 6, 0, EnumSet.allOf(LoraTarget.class), 11), cpu);
        Random r = new Random(5);
        lora.parameters().forEach((n, t) -> {
            if (n.endsWith("lora_B.weight")) for (int i = 0; i < t.data().length; i++) t.data()[i] = 0.1f * (float) r.nextGaussian();
        });
        return lora;
    }

    /** One adapter before merging: its factors and gradients, and the base weight it adapts. */
    private record Factors(String module, float[] a, float[] b, float[] gradA, float[] gradB, int out, int in, int r) {
    }

    private static List<Factors> factors(LoraAdapters lora) {
        List<Factors> out = new ArrayList<>();
        Map<String, Tensor> p = lora.parameters();
        for (var e : p.entrySet()) {
            if (!e.getKey().endsWith(".lora_A.weight")) continue;
            String module = e.getKey().substring("base_model.model.".length(), e.getKey().length() - ".lora_A.weight".length());
            Tensor a = e.getValue(), b = p.get(e.getKey().replace("lora_A", "lora_B"));
            assertThat(a.grad()).as(module + " lora_A has a gradient").isNotNull();
            out.add(new Factors(module, a.toArray(), b.toArray(), a.grad().toArray(), b.grad().toArray(), b.shape().dim(0), a.shape().dim(1), a.shape().dim(0)));
        }
        return out;
    }

    /**
     * Computes the loss with adapters, then merges them and computes it with the full model, comparing loss and the
     * chain-rule gradients.
     */
    private static void assertMatchesMergedModel(TeleChat2 model, LoraAdapters lora, Function<TeleChat2, Tensor> loss, Tensor extraParam) {
        float scale = lora.config().scale();
        Tensor adapted = loss.apply(model);
        float lossAdapted = adapted.item();
        adapted.backward();
        model.parameters().forEach((n, t) -> assertThat(t.grad()).as("frozen " + n).isNull());
        List<Factors> fs = factors(lora);
        float[] extraGrad = extraParam != null ? extraParam.grad().toArray() : null;
        if (extraParam != null) extraParam.zeroGrad();

        lora.merge(cpu);
        model.parameters().values().forEach(t -> t.requiresGrad(true));
        Tensor merged = loss.apply(model);
        assertThat(merged.item()).as("loss of the merged model").isCloseTo(lossAdapted, org.assertj.core.data.Offset.offset(2e-5f * Math.max(1, Math.abs(lossAdapted))));
        merged.backward();
        if (extraParam != null) assertClose("reward head", extraParam.grad().toArray(), toDouble(extraGrad), 1e-4);
        double largest = 0;
        for (Factors f : fs) {
            float[] g = model.parameters().get(f.module() + ".weight").grad().toArray();
            double[] wantB = new double[f.out() * f.r()], wantA = new double[f.r() * f.in()];
            for (int o = 0; o < f.out(); o++) {
                for (int k = 0; k < f.r(); k++) {
                    double sb = 0;
                    for (int i = 0; i < f.in(); i++) sb += (double) g[o * f.in() + i] * f.a()[k * f.in() + i];
                    wantB[o * f.r() + k] = scale * sb;
                }
            }
            for (int k = 0; k < f.r(); k++) {
                for (int i = 0; i < f.in(); i++) {
                    double sa = 0;
                    for (int o = 0; o < f.out(); o++) sa += (double) f.b()[o * f.r() + k] * g[o * f.in() + i];
                    wantA[k * f.in() + i] = scale * sa;
                }
            }
            assertClose(f.module() + " lora_B", f.gradB(), wantB, 1e-4);
            assertClose(f.module() + " lora_A", f.gradA(), wantA, 1e-4);
            largest = Math.max(largest, java.util.Arrays.stream(wantA).map(Math::abs).max().orElse(0));
        }
        assertThat(largest).as("the gradients are not all zero").isGreaterThan(1e-4);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** |got − want| ≤ tol·max(1, max|want|) elementwise. */
    private static void assertClose(String what, float[] got, double[] want, double tol) {
        assertThat(got).as(what).hasSize(want.length);
        double scale = Math.max(1e-3, java.util.Arrays.stream(want).map(Math::abs).max().orElse(0));
        for (int i = 0; i < got.length; i++) {
            assertThat(Math.abs(got[i] - want[i])).as("%s[%d]: %s vs %s", what, i, got[i], want[i]).isLessThanOrEqualTo(tol * scale);
        }
    }

    @Test
    void rewardModelWithLoraMatchesTheMergedModel() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 21, 0.3f);
        RewardModel rm = RewardModel.create(model, cpu, 3);
        LoraAdapters lora = attach(model);
        PairBatch b = PairBatch.of(pairs, template, 40, 3);
        BradleyTerry bt = new BradleyTerry(0.01);
        assertMatchesMergedModel(model, lora, m -> rm.loss(b, bt), rm.score());
    }

    @Test
    void dpoWithLoraOnThePolicyAndTheFrozenBaseAsReferenceMatchesTheMergedModel() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 22, 0.3f);
        List<PairBatch> batches = DpoObjective.batches(pairs, template, 3, 40, 3);
        // the reference is the base itself, before the adapters are attached: no second copy of the model
        ReferenceLogProbs ref = ReferenceLogProbs.compute(model, "base", batches);
        LoraAdapters lora = attach(model);
        DpoLoss loss = new DpoLoss(0.2, 0.5, new PreferenceLoss.Sigmoid());
        DpoObjective dpo = new DpoObjective(model, batches, ref, loss, 1);
        double margin = dpo.micro(0, 0).metrics().get("rewards_margin");
        assertThat(Math.abs(margin)).as("B != 0: the policy differs from the reference").isGreaterThan(1e-4);
        assertMatchesMergedModel(model, lora, m -> dpo.micro(0, 0).loss(), null);

        // with B = 0 the adapted policy is the base exactly: DPO starts at ln 2 with zero implicit rewards
        TeleChat2 fresh = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 22, 0.3f);
        ReferenceLogProbs ref2 = ReferenceLogProbs.compute(fresh, "base", batches);
        LoraAdapters.attach(fresh, new LoraConfig(3, 6, 0, EnumSet.allOf(LoraTarget.class), 11), cpu);
        Map<String, Double> m0 = new LinkedHashMap<>(new DpoObjective(fresh, batches, ref2, loss, 1).micro(0, 0).metrics());
        assertThat(m0.get("rewards_margin")).isEqualTo(0.0);
        assertThat(m0.get("dpo")).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-9));
    }
}
