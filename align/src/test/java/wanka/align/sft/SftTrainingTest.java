package wanka.align.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.TorchReference;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.AdamWOptimizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The masked SFT loss and its gradients against PyTorch, and full fine-tuning through the post-training loop. */
class SftTrainingTest {
    static final List<String> GRADS = List.of(
            "transformer.word_embeddings.weight", "transformer.h.0.self_attention.query.weight",
            "transformer.h.0.self_attention.key_value.weight", "transformer.h.1.self_attention.dense.bias",
            "transformer.h.1.mlp.up_proj.weight", "transformer.h.0.input_layernorm.weight", "transformer.ln_f.weight", "lm_head.weight");

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

    static List<SftSample> samples() throws Exception {
        List<String> lines = List.of(
                "{\"messages\": [{\"role\": \"system\", \"content\": \"you are helpful\"}, {\"role\": \"user\", \"content\": \"what is a cat\"}, {\"role\": \"assistant\", \"content\": \"a cat is\"}, {\"role\": \"user\", \"content\": \"and a dog\"}, {\"role\": \"assistant\", \"content\": \"a dog is\"}]}",
                "{\"instruction\": \"hello\", \"input\": \"world\", \"output\": \"the answer is the mat\"}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"question\"}, {\"from\": \"gpt\", \"value\": \"answer you are\"}]}");
        List<SftSample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) out.add(SftDataset.render(Path.of("t.jsonl"), i + 1, lines.get(i), template, 64));
        return out;
    }

    /** Padded rows: the mask of a row is the sample's mask, false on padding. */
    static boolean[] masks(SftBatches batches, List<SftSample> samples, SftBatch b) {
        boolean[] m = new boolean[b.batch() * b.seq()];
        int[] order = batches.order(0);
        for (int r = 0; r < b.batch(); r++) {
            SftSample s = samples.get(order[r]);
            System.arraycopy(s.lossMask(), 0, m, r * b.seq(), s.length());
        }
        return m;
    }

    @Test
    void maskedLossAndGradientsMatchPyTorch() throws Exception {
        List<SftSample> samples = samples();
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 5, 0.3f);
        SftBatches batches = new SftBatches(samples, 3, 60, 3, 11);
        SftBatch b = batches.get(0);
        Tensor loss = SftLoss.of(model, b);
        float ours = loss.item();
        loss.backward();

        Path dir = tmp.resolve("model");
        ModelIO.save(model, dir);
        try (TorchReference torch = TorchReference.start()) {
            ObjectNode req = TorchReference.JSON.createObjectNode();
            req.put("op", "sft").put("model_dir", dir.toString());
            req.set("ids", TorchReference.rows(b.inputs(), b.batch(), b.seq()));
            req.set("mask", TorchReference.rows(masks(batches, samples, b), b.batch(), b.seq()));
            GRADS.forEach(req.putArray("grads")::add);
            JsonNode ref = torch.call(req);
            TorchReference.assertClose("SFT masked loss", new float[]{ours}, new double[]{ref.get("loss").asDouble()}, 1e-5, 1);
            for (String name : GRADS) {
                double[] g = TorchReference.flatten(ref.get("grads").get(name));
                assertThat(TorchReference.maxAbs(g)).as(name + " gradient is not trivially zero").isGreaterThan(1e-4);
                TorchReference.assertClose("SFT d loss / d " + name, model.parameters().get(name).grad().toArray(), g, 1e-3, 0);
            }
        }
    }

    @Test
    void promptTokensAndPaddingDoNotChangeTheLoss() throws Exception {
        List<SftSample> samples = samples();
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 6, 0.3f);
        SftBatch a = new SftBatches(samples, 3, 60, 3, 11).get(0);
        SftBatch b = new SftBatches(samples, 3, 64, 0, 11).get(0); // more padding, another pad id
        try (var ignored = cpu.noGrad()) {
            assertThat(SftLoss.of(model, b).item()).isCloseTo(SftLoss.of(model, a).item(), org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void fullFineTuningLowersTheLossAndWritesCheckpoints() throws Exception {
        List<SftSample> samples = samples();
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 7, 0.05f);
        SftBatches batches = new SftBatches(samples, 3, 60, 3, 1);
        PostTrainOptions o = new PostTrainOptions(30, 1, 3e-3, 3e-3, 0, "constant", 1.0,
                new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.0), 0, tmp.resolve("run"), 1, 3, 60);
        List<Double> losses = new ArrayList<>();
        PostTrainer trainer = new PostTrainer(model.parameters(), model.parameterRoles(), new SftObjective(model, batches, 1), o, cpu,
                dir -> ModelIO.save(model, dir));
        trainer.run(l -> losses.add(l.loss()));
        assertThat(losses.getLast()).isLessThan(0.5 * losses.getFirst());
        Path ckpt = tmp.resolve("run/checkpoints/step-00000030");
        assertThat(ckpt.resolve("model.safetensors")).isRegularFile();
        assertThat(ckpt.resolve("optimizer.safetensors")).isRegularFile();
        assertThat(ckpt.resolve("manifest.json")).isRegularFile();
        assertThat(Files.readAllLines(tmp.resolve("run/metrics.jsonl"))).hasSize(30);
        TeleChat2 reloaded = ModelIO.load(ckpt, cpu);
        try (var ignored = cpu.noGrad()) {
            SftBatch b = batches.get(0);
            assertThat(SftLoss.of(reloaded, b).item()).isCloseTo(SftLoss.of(model, b).item(), org.assertj.core.data.Offset.offset(1e-6f));
        }
    }
}
