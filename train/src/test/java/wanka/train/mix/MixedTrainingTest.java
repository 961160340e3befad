package wanka.train.mix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;
import wanka.data.mix.Domain;
import wanka.data.mix.DomainMixture;
import wanka.data.mix.MixingWeights;
import wanka.data.mix.OdmWeights;
import wanka.data.mix.StaticWeights;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.train.AdamWOptimizer;
import wanka.train.Checkpoints;
import wanka.train.TrainOptions;
import wanka.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MixedTrainingTest {
    private static final TeleChat2Config CONFIG = TeleChat2Config.of(40, 32, 2, 4, 2, 48, 16);

    /** Domain "easy" repeats a short cycle; domain "noise" is uniformly random (its loss stays high). */
    private static Path corpus(Path dir) throws IOException {
        Path tokens = dir.resolve("tokens");
        Random r = new Random(0);
        for (String name : List.of("easy", "noise")) {
            Path d = Files.createDirectories(tokens.resolve(name));
            try (TokenShardWriter w = new TokenShardWriter(d.resolve("task-0.tokens"), CONFIG.vocabSize(), 2)) {
                for (int doc = 0; doc < 100; doc++) {
                    int[] ids = new int[20];
                    for (int i = 0; i < ids.length; i++) ids[i] = name.equals("easy") ? 3 + (doc + i) % 5 : 3 + r.nextInt(37);
                    w.addDocument(ids);
                }
            }
        }
        return tokens;
    }

    record Run(List<Double> losses, List<double[]> weights) {
    }

    private static Run train(Path tokens, Path out, long steps, int every, Path resume) throws IOException {
        List<Domain> domains = Domain.scan(tokens);
        try (CpuDevice dev = CpuDevice.withThreads(2)) {
            TeleChat2 m = TeleChat2.initialize(CONFIG, dev, 42);
            TrainOptions o = new TrainOptions(8, 16, steps, 2, 1e-2, 1e-3, 2, "cosine", 1.0, AdamWOptimizer.Settings.telechat(), 42, 1, every, out);
            DomainMixture mix = new DomainMixture(domains, o.batch(), o.seq(), o.seed(), OdmWeights.start(StaticWeights.uniform(2), 0));
            Trainer t = new Trainer(m, dev, mix, o, 0);
            if (resume != null) t.resumeFrom(resume);
            List<Double> losses = new ArrayList<>();
            List<double[]> weights = new ArrayList<>();
            t.run(metrics -> {
                losses.add(metrics.loss());
                weights.add(metrics.domainWeights().values().stream().mapToDouble(Double::doubleValue).toArray());
            });
            return new Run(losses, weights);
        } finally {
            domains.forEach(d -> d.shards().forEach(TokenShard::close));
        }
    }

    @Test
    void odmTrainingLogsDomainsAndResumesIdentically(@TempDir Path dir) throws IOException {
        Path tokens = corpus(dir);
        Run full = train(tokens, dir.resolve("a"), 12, 6, null);
        List<String> lines = Files.readAllLines(dir.resolve("a/metrics.jsonl"));
        JsonNode last = new ObjectMapper().readTree(lines.getLast());
        assertThat(last.get("domain_weights").get("easy").asDouble() + last.get("domain_weights").get("noise").asDouble()).isCloseTo(1.0, within(1e-12));
        assertThat(last.get("domain_loss").get("noise").asDouble()).isGreaterThan(last.get("domain_loss").get("easy").asDouble());
        // The noisy domain keeps the higher loss, so ODM moves weight to it.
        assertThat(full.weights().getLast()[1]).isGreaterThan(0.5);

        Path ckpt = dir.resolve("a/checkpoints/step-00000006");
        MixingWeights saved = Checkpoints.readMixing(ckpt).orElseThrow();
        assertThat(saved.weights()).containsExactly(full.weights().get(6));
        Run resumed = train(tokens, dir.resolve("b"), 12, 0, ckpt);
        assertThat(resumed.losses()).containsExactlyElementsOf(full.losses().subList(6, 12));
        for (int i = 0; i < 6; i++) assertThat(resumed.weights().get(i)).containsExactly(full.weights().get(6 + i));
    }
}
