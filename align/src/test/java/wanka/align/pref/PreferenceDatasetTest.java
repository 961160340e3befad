package wanka.align.pref;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.sft.Quarantined;
import wanka.align.sft.SftDataset;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Preference data on disk (pairs, messages-style pairs, graded responses) and the cached DPO reference log-probs. */
class PreferenceDatasetTest {
    private static CpuDevice cpu;
    private static ChatTemplate template;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
        template = SftDataset.template(Fixtures.tokenizer());
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    @Test
    void everyLayoutBecomesPairsAndBadLinesAreQuarantinedWithFileAndLine() throws Exception {
        Path f = dir.resolve("prefs.jsonl");
        Files.write(f, List.of(
                "{\"prompt\": \"what is a cat\", \"chosen\": \"a cat is helpful\", \"rejected\": \"the mat\", \"margin\": 0.5, \"system\": \"you are helpful\"}",
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"hello world\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"dog\"}]}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"question\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"the answer\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"what\"}]}",
                "",
                "{\"prompt\": \"q\", \"responses\": [{\"response\": \"h1\", \"label\": \"high\"}, {\"response\": \"h2\", \"label\": \"high\"}, {\"text\": \"l\", \"grade\": \"low\"}]}",
                "{\"prompt\": \"q2\", \"high\": \"h\", \"mid\": \"m\", \"low\": \"l\"}",
                "not json",
                "{\"question\": \"x\"}",
                "{\"prompt\": \"q\", \"responses\": [{\"response\": \"a\", \"label\": \"great\"}]}",
                "{\"prompt\": \"q\", \"high\": \"only one grade\"}",
                "{\"prompt\": \"q\", \"chosen\": \"ok\", \"rejected\": \"" + "the cat sat on the mat ".repeat(30) + "\"}",
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"x\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"b\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
                "{\"chosen\": [{\"role\": \"wizard\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"x\"}], \"rejected\": []}"));
        PreferenceDataset ds = PreferenceDataset.load(List.of(f), new LabelledPairs(1.0 / 3, 2.0 / 3), template, 64);

        List<PreferencePair> p = ds.pairs();
        assertThat(p).hasSize(3 + 2 + 3);
        assertThat(p.get(0).prompt()).containsExactly(new Message(Role.SYSTEM, "you are helpful"), new Message(Role.USER, "what is a cat"));
        assertThat(p.get(0).margin()).isEqualTo(0.5);
        assertThat(p.get(1).prompt()).containsExactly(new Message(Role.USER, "hello"));
        assertThat(p.get(1).chosen()).isEqualTo("hello world");
        assertThat(p.get(1).rejected()).isEqualTo("dog");
        assertThat(p.get(2).chosen()).isEqualTo("the answer");
        assertThat(p.subList(3, 5)).extracting(PreferencePair::chosen).containsExactly("h1", "h2");
        assertThat(p.subList(3, 5)).extracting(PreferencePair::margin).containsExactly(2.0 / 3, 2.0 / 3);
        assertThat(p.subList(5, 8)).extracting(PreferencePair::rejected).containsExactly("m", "l", "l");

        assertThat(ds.quarantined()).extracting(Quarantined::line).containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L);
        assertThat(ds.quarantined()).allSatisfy(q -> assertThat(q.file()).isEqualTo(f));
        List<String> reasons = ds.quarantined().stream().map(Quarantined::reason).toList();
        assertThat(reasons.get(0)).contains("not valid JSON");
        assertThat(reasons.get(1)).contains("unknown layout");
        assertThat(reasons.get(2)).contains("unknown label \"great\"");
        assertThat(reasons.get(3)).contains("only one grade");
        assertThat(reasons.get(4)).contains("rejected").contains("too long");
        assertThat(reasons.get(5)).contains("do not share a prompt");
        assertThat(reasons.get(6)).contains("wizard");

        Path q = dir.resolve("quarantine.jsonl");
        Quarantined.write(ds.quarantined(), q);
        assertThat(Files.readAllLines(q)).hasSize(7).first().asString().contains("\"line\":7").contains(f.toString());
    }

    @Test
    void referenceLogProbsAreComputedOnceAndReusedForTheSameModelAndData() throws Exception {
        List<PreferencePair> pairs = List.of(new PreferencePair("what is a cat", "a cat is helpful", "the dog", 0, Double.NaN),
                new PreferencePair("hello", "hello world", "mat", 0, Double.NaN), new PreferencePair("question", "the answer", "what", 0, Double.NaN));
        TeleChat2 ref = TinyModels.random(TinyModels.config(template.tokenizer().vocabSize()), cpu, 3, 0.05f);
        Path refDir = dir.resolve("ref");
        ModelIO.save(ref, refDir);
        List<PairBatch> batches = DpoObjective.batches(pairs, template, 2, 40, 3);
        Path cache = dir.resolve("cache/ref_logps.json");
        AtomicInteger loads = new AtomicInteger();
        List<String> log = new ArrayList<>();
        ReferenceLogProbs.ModelLoader loader = () -> {
            loads.incrementAndGet();
            return ModelIO.load(refDir, cpu);
        };
        String crc = ModelChecksum.of(refDir);
        ReferenceLogProbs first = ReferenceLogProbs.cached(cache, crc, batches, loader, log::add);
        assertThat(loads).hasValue(1);
        assertThat(cache).isRegularFile();
        assertThat(first.perBatch().getFirst()).containsExactly(PolicyLogProbs.reference(ref, batches.getFirst()));

        ReferenceLogProbs again = ReferenceLogProbs.cached(cache, crc, batches, loader, log::add);
        assertThat(loads).as("the reference model is not even loaded").hasValue(1);
        for (int i = 0; i < batches.size(); i++) assertThat(again.perBatch().get(i)).containsExactly(first.perBatch().get(i));
        assertThat(log.get(1)).contains("reused");

        ReferenceLogProbs.cached(cache, crc, DpoObjective.batches(pairs.subList(0, 2), template, 2, 40, 3), loader, log::add);
        assertThat(loads).as("other data: recomputed").hasValue(2);
        ReferenceLogProbs.cached(cache, "00000000", DpoObjective.batches(pairs.subList(0, 2), template, 2, 40, 3), loader, log::add);
        assertThat(loads).as("another reference model: recomputed").hasValue(3);
        assertThat(log.get(log.size() - 2)).contains("another model or data");

        ModelIO.save(TinyModels.random(TinyModels.config(template.tokenizer().vocabSize()), cpu, 4, 0.05f), dir.resolve("other"));
        assertThat(ModelChecksum.of(dir.resolve("other"))).isNotEqualTo(crc);
    }
}
