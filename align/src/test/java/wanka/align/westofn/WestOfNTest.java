package wanka.align.westofn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.pref.LabelledPairs;
import wanka.align.pref.PreferenceDataset;
import wanka.align.pref.RewardModel;
import wanka.align.sft.SftDataset;
import wanka.model.TeleChat2;
import wanka.model.generate.GenerationConfig;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** West-of-N: best and worst of N sampled responses by reward, batched = one at a time, resumable, readable as DPO pairs. */
class WestOfNTest {
    private static CpuDevice cpu;
    private static ChatTemplate template;
    private static TeleChat2 policy;
    private static RewardModel rm;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
        template = SftDataset.template(Fixtures.tokenizer());
        int vocab = template.tokenizer().vocabSize();
        policy = TinyModels.random(TinyModels.config(vocab), cpu, 21, 0.1f);
        rm = RewardModel.create(TinyModels.random(TinyModels.config(vocab), cpu, 22, 0.1f), cpu, 5);
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private Path prompts() throws Exception {
        Path f = dir.resolve("prompts.jsonl");
        Files.write(f, List.of("{\"prompt\": \"what is a cat\"}", "{\"instruction\": \"hello\", \"input\": \"world\"}", "oops",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"you are helpful\"}, {\"role\": \"user\", \"content\": \"question\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}"));
        return f;
    }

    private static WestOfN wn(boolean batched) {
        return new WestOfN(policy, rm, template, new GenerationConfig(10, 1.0, 0, 1.0, 1.0, Set.of(), 9), 5, batched);
    }

    @Test
    void keepsBestAndWorstWithConfidenceAndResumesWhereItStopped() throws Exception {
        PromptFile pf = PromptFile.load(List.of(prompts()));
        assertThat(pf.prompts()).hasSize(3);
        assertThat(pf.quarantined()).singleElement().satisfies(q -> assertThat(q.line()).isEqualTo(3));
        assertThat(pf.prompts().get(2).messages()).hasSize(2); // the assistant turn is cut

        List<WestOfN.Outcome> seen = new ArrayList<>();
        Path a = dir.resolve("a/pairs.jsonl");
        WestOfNFile.Summary sa = WestOfNFile.run(pf.prompts(), wn(true), a, seen::add);
        assertThat(sa.pairs() + sa.ties()).isEqualTo(3);
        for (WestOfN.Outcome o : seen) {
            assertThat(o.candidates()).hasSize(5);
            if (o.best() == null) continue;
            for (WestOfN.Candidate c : o.candidates()) {
                assertThat(o.best().reward()).isGreaterThanOrEqualTo(c.reward());
                assertThat(o.worst().reward()).isLessThanOrEqualTo(c.reward());
            }
            assertThat(o.confidence()).isCloseTo(1 / (1 + Math.exp(-(o.best().reward() - o.worst().reward()))), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(o.candidates().stream().map(WestOfN.Candidate::text).distinct().count()).as("sampling gives varied responses").isGreaterThan(1);
        }

        Path b = dir.resolve("b/pairs.jsonl");
        WestOfNFile.run(pf.prompts(), wn(false), b, o -> { });
        assertThat(Files.readAllLines(b)).as("one at a time gives the same pairs").isEqualTo(Files.readAllLines(a));

        Path c = dir.resolve("c/pairs.jsonl");
        Files.createDirectories(c.getParent());
        List<String> full = Files.readAllLines(a);
        Files.writeString(c, full.getFirst() + "\n" + full.get(1).substring(0, 20)); // stopped while writing the second line
        WestOfNFile.Summary sc = WestOfNFile.run(pf.prompts(), wn(true), c, o -> { });
        assertThat(sc.alreadyDone()).isEqualTo(1);
        assertThat(Files.readAllLines(c)).isEqualTo(full);

        PreferenceDataset pairs = PreferenceDataset.load(List.of(a), new LabelledPairs(0, 0), template, 64);
        assertThat(pairs.quarantined()).isEmpty();
        assertThat(pairs.pairs()).hasSize(sa.pairs());
        assertThat(pairs.pairs().getLast().prompt()).hasSize(2);
    }
}
