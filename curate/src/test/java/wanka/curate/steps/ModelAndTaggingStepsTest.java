package wanka.curate.steps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.LocalExecutor;
import wanka.curate.pipeline.PipelineConfig;
import wanka.curate.pipeline.RunLayout;
import wanka.curate.pipeline.StepRegistry;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.hf.TokenizerJson;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelAndTaggingStepsTest {

    @Test
    void perplexityIsExpOfTheModelsMeanLossAndFiltersByThresholds(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) lines.add("the council adopted the proposal number " + i + " on energy and transport");
        SentencePieceBpe tok = new SentencePieceBpe(BpeTrainer.trainSentencePiece(lines, TrainerOptions.SentencePiece.telechat2(450, 1)));
        Path modelDir = dir.resolve("model");
        TeleChat2Config cfg = TeleChat2Config.of(512, 32, 2, 4, 2, 48, 16);
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            ModelIO.save(TeleChat2.initialize(cfg, dev, 5), modelDir);
        }
        TokenizerJson.write(tok, modelDir.resolve("tokenizer.json"));
        String text = "the council adopted the proposal on transport";
        int[] ids = tok.encode(text);
        double expected;
        try (CpuDevice dev = CpuDevice.withThreads(1); var ignored = dev.noGrad()) {
            TeleChat2 m = ModelIO.load(modelDir, dev);
            // Windows of 16 tokens, as the step uses the config's training_seqlen.
            double nll = 0;
            int n = 0;
            for (int s = 0; s + 1 < ids.length; s += 16) {
                int len = Math.min(16, ids.length - 1 - s);
                nll += m.loss(java.util.Arrays.copyOfRange(ids, s, s + len), java.util.Arrays.copyOfRange(ids, s + 1, s + 1 + len), 1, len).item() * len;
                n += len;
            }
            expected = Math.exp(nll / n);
        }
        try (PerplexityFilter f = new PerplexityFilter(modelDir, tok, 0, Double.MAX_VALUE, 0, 4096)) {
            assertThat(f.perplexity(text)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * expected));
            // A random model is near-uniform over 512 ids: perplexity is in the hundreds.
            assertThat(expected).isBetween(100.0, 2000.0);
        }
        // Through a pipeline: a max threshold below the score drops the document with the reason.
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), text + "\nx\n");
        Path cfgFile = dir.resolve("p.yaml");
        Files.writeString(cfgFile, "input: {reader: text, paths: [data/a.txt]}\nsteps:\n  - {type: perplexity, model: " + modelDir + ", max: 10}\n");
        StepRegistry reg = BuiltinSteps.registry();
        RunLayout layout = new RunLayout(dir.resolve("run"));
        var results = new LocalExecutor(PipelineConfig.read(cfgFile, reg), reg, layout).run(1, t -> { });
        @SuppressWarnings("unchecked")
        Map<String, Number> reasons = (Map<String, Number>) results.getFirst().steps().getFirst().get("drop_reasons");
        assertThat(reasons).containsKeys("perplexity_high");
    }

    @Test
    void domainRulesMatchSourceOrTextFirstWins() {
        DomainTagger t = new DomainTagger(List.of(DomainTagger.rule("code", null, "\\bpublic class\\b"), DomainTagger.rule("law", "*.law.jsonl", null)),
                "web", false);
        StepContextProbe ctx = new StepContextProbe();
        assertThat(t.apply(new Document("1", "public class A {}", Map.of(Document.SOURCE, "x.law.jsonl")), ctx.get()).domain()).isEqualTo("code");
        assertThat(t.apply(new Document("2", "article 5", Map.of(Document.SOURCE, "eu.law.jsonl")), ctx.get()).domain()).isEqualTo("law");
        assertThat(t.apply(new Document("3", "hello", Map.of()), ctx.get()).domain()).isEqualTo("web");
        Document tagged = new Document("4", "public class B", Map.of(Document.DOMAIN, "kept"));
        assertThat(t.apply(tagged, ctx.get())).isSameAs(tagged);
    }

    /** A StepContext for calling steps directly. */
    static final class StepContextProbe {
        wanka.curate.pipeline.StepContext get() {
            return wanka.curate.pipeline.TestContexts.context();
        }
    }
}
