package wanka.align.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.TorchReference;
import wanka.align.sft.SftBatch;
import wanka.align.sft.SftBatches;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftLoss;
import wanka.align.sft.SftObjective;
import wanka.align.sft.SftSample;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.io.ModelFormatException;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.Tokenizer;
import wanka.train.AdamWOptimizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoraTest {
    private static CpuDevice cpu;
    private static Tokenizer tok;
    private static List<SftSample> samples;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = CpuDevice.withThreads(2);
        tok = Fixtures.tokenizer();
        var template = SftDataset.template(tok);
        String[] qa = {"what is a cat", "a cat is", "hello", "world you are helpful", "question", "the answer is the mat"};
        samples = new ArrayList<>();
        for (int i = 0; i < qa.length; i += 2) {
            samples.add(SftDataset.render(Path.of("l.jsonl"), i / 2 + 1,
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"" + qa[i] + "\"}, {\"role\": \"assistant\", \"content\": \"" + qa[i + 1] + "\"}]}", template, 64));
        }
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private static LoraConfig config(double dropout) {
        return new LoraConfig(4, 8, dropout, EnumSet.allOf(LoraTarget.class), 3);
    }

    private static void randomiseB(LoraAdapters lora, long seed) {
        Random r = new Random(seed);
        lora.parameters().forEach((n, t) -> {
            if (n.endsWith("lora_B.weight")) for (int i = 0; i < t.data().length; i++) t.data()[i] = 0.2f * (float) r.nextGaussian();
        });
    }

    @Test
    void adapterLossAndGradientsMatchPyTorchThroughThePeftFiles() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 4, 0.3f);
        Path base = tmp.resolve("base");
        ModelIO.save(model, base);
        LoraAdapters lora = LoraAdapters.attach(model, config(0), cpu);
        randomiseB(lora, 1);
        Path adapter = tmp.resolve("adapter");
        lora.save(adapter, base.toString());

        SftBatch b = new SftBatches(samples, 3, 48, 3, 2).get(0);
        Tensor loss = SftLoss.of(model, b);
        float ours = loss.item();
        loss.backward();
        model.parameters().forEach((n, p) -> assertThat(p.grad()).as("frozen base weight %s has no gradient", n).isNull());

        List<String> names = List.of("base_model.model.transformer.h.0.self_attention.query.lora_A.weight",
                "base_model.model.transformer.h.0.self_attention.key_value.lora_B.weight",
                "base_model.model.transformer.h.1.self_attention.dense.lora_A.weight",
                "base_model.model.transformer.h.0.mlp.gate_proj.lora_B.weight",
                "base_model.model.transformer.h.1.mlp.up_proj.lora_A.weight",
                "base_model.model.transformer.h.1.mlp.down_proj.lora_B.weight");
        assertThat(lora.parameters()).containsKeys(names.toArray(String[]::new)).hasSize(2 * 6 * 2);
        try (TorchReference torch = TorchReference.start()) {
            ObjectNode req = TorchReference.JSON.createObjectNode();
            req.put("op", "sft").put("model_dir", base.toString()).put("adapter_dir", adapter.toString());
            req.set("ids", TorchReference.rows(b.inputs(), b.batch(), b.seq()));
            boolean[] mask = new boolean[b.inputs().length];
            for (int i = 0; i < mask.length; i++) mask[i] = i > 0 && b.targets()[i - 1] != -100; // token i trained iff position i-1 predicts it
            req.set("mask", TorchReference.rows(mask, b.batch(), b.seq()));
            names.forEach(req.putArray("grads")::add);
            JsonNode ref = torch.call(req);
            TorchReference.assertClose("LoRA SFT loss", new float[]{ours}, new double[]{ref.get("loss").asDouble()}, 1e-5, 1);
            for (String n : names) {
                double[] g = TorchReference.flatten(ref.get("grads").get(n));
                assertThat(TorchReference.maxAbs(g)).as(n).isGreaterThan(1e-5);
                TorchReference.assertClose("LoRA d loss / d " + n, lora.parameters().get(n).grad().toArray(), g, 1e-3, 0);
            }
        }
    }

    @Test
    void onlyAdaptersTrainAndAreCheckpointedAndMergingGivesTheSameModel() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 8, 0.05f);
        Path base = tmp.resolve("base");
        ModelIO.save(model, base);
        float[] query0 = model.parameters().get("transformer.h.0.self_attention.query.weight").toArray();
        LoraAdapters lora = LoraAdapters.attach(model, new LoraConfig(4, 16, 0.1, EnumSet.of(LoraTarget.QUERY, LoraTarget.KEY_VALUE, LoraTarget.DOWN), 5), cpu);
        SftBatches batches = new SftBatches(samples, 3, 48, 3, 1);
        PostTrainOptions o = new PostTrainOptions(25, 1, 1e-2, 1e-2, 0, "constant", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.0), 0, tmp.resolve("run"), 1, 3, 48);
        PostTrainer trainer = new PostTrainer(lora.parameters(), lora.roles(), new SftObjective(model, batches, 1), o, cpu,
                dir -> lora.save(dir, base.toString()));
        List<Double> losses = new ArrayList<>();
        trainer.run(l -> losses.add(l.loss()));
        assertThat(losses.getLast()).isLessThan(0.8 * losses.getFirst());
        assertThat(model.parameters().get("transformer.h.0.self_attention.query.weight").toArray()).isEqualTo(query0);
        assertThat(trainer.optimizer().state().keySet()).allMatch(k -> k.contains(".lora_A.") || k.contains(".lora_B.")).hasSize(2 * 2 * 3 * 2);

        Path ckpt = tmp.resolve("run/checkpoints/step-00000025");
        try (var files = Files.list(ckpt)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("adapter_config.json", "adapter_model.safetensors", "manifest.json", "optimizer.safetensors", "post_train_state.json");
        }
        assertThat(Files.size(ckpt.resolve("adapter_model.safetensors"))).isLessThan(Files.size(base.resolve("model.safetensors")) / 5);
        JsonNode cfg = TorchReference.JSON.readTree(ckpt.resolve("adapter_config.json").toFile());
        assertThat(cfg.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(cfg.get("r").asInt()).isEqualTo(4);
        assertThat(cfg.get("target_modules").toString()).isEqualTo("[\"query\",\"key_value\",\"down_proj\"]");

        // Reload the adapter on a fresh base; the merged HF model computes what base + adapter compute.
        TeleChat2 fresh = ModelIO.load(base, cpu);
        LoraAdapters loaded = LoraAdapters.load(ckpt, fresh, cpu);
        SftBatch b = batches.get(0);
        float adapted, merged;
        try (var ignored = cpu.noGrad()) {
            adapted = SftLoss.of(fresh, b).item();
            assertThat(adapted).isCloseTo(SftLoss.of(model, b).item(), org.assertj.core.data.Offset.offset(1e-6f));
            loaded.merge(cpu);
            Path out = tmp.resolve("merged");
            ModelIO.save(fresh, out);
            merged = SftLoss.of(ModelIO.load(out, cpu), b).item();
        }
        System.out.printf("LoRA adapted loss %.7f, merged %.7f%n", adapted, merged);
        assertThat(merged).isCloseTo(adapted, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void anAdapterForAnotherBaseModelIsAClearError() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 4, 0.3f);
        LoraAdapters.attach(model, config(0), cpu).save(tmp.resolve("a"), "base");
        TeleChat2 other = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 5, 0.3f);
        assertThatThrownBy(() -> LoraAdapters.load(tmp.resolve("a"), other, cpu)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("adapter_config.json").hasMessageContaining("another base model");
        TeleChat2 wider = TinyModels.random(wanka.model.TeleChat2Config.of(tok.vocabSize(), 128, 2, 4, 2, 96, 64), cpu, 4, 0.3f);
        assertThatThrownBy(() -> LoraAdapters.load(tmp.resolve("a"), wider, cpu)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("another base model");
        assertThatThrownBy(() -> LoraAdapters.load(tmp.resolve("nothing"), other, cpu)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("adapter_config.json");
    }

    @Test
    void dropoutOnlyWhileTrainingAndBStartsAtZero() throws Exception {
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 4, 0.3f);
        SftBatch b = new SftBatches(samples, 3, 48, 3, 2).get(0);
        float before;
        try (var ignored = cpu.noGrad()) {
            before = SftLoss.of(model, b).item();
        }
        LoraAdapters lora = LoraAdapters.attach(model, config(0.5), cpu);
        try (var ignored = cpu.noGrad()) {
            assertThat(SftLoss.of(model, b).item()).isEqualTo(before); // B = 0: the base model exactly
            randomiseB(lora, 3);
            float eval1 = SftLoss.of(model, b).item(), eval2 = SftLoss.of(model, b).item();
            assertThat(eval1).isEqualTo(eval2);
        }
        Tensor t1 = SftLoss.of(model, b), t2 = SftLoss.of(model, b);
        assertThat(t1.item()).isNotEqualTo(t2.item()); // fresh masks per training call
    }
}
