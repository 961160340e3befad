package wanka.align.select;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.align.sft.SftDataset;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The selection scorers: formulas, the batched pass against one sample at a time, and resuming. */
class ScoringTest {
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
    void ifdIsTheRatioOfLossesAndTheSuperfilteringVariantTheRatioOfPerplexities() {
        AnswerStats a = new AnswerStats(1.2, 2.0, 0.9, 7), b = new AnswerStats(0.6, 1.0, Double.NaN, 3);
        assertThat(new Scorer.Ifd().value(a)).isCloseTo(0.600, within(1e-12));
        assertThat(new Scorer.IfdPpl().value(a)).isCloseTo(0.449329, within(1e-6)); // algorithms.md §3.2: e^-0.8
        assertThat(new Scorer.Ifd().value(b)).isCloseTo(0.600, within(1e-12));
        assertThat(new Scorer.IfdPpl().value(b)).as("same IFD, another IFD_ppl: they rank differently").isCloseTo(Math.exp(-0.4), within(1e-12));
        assertThat(new Scorer.Ppl().value(a)).isCloseTo(Math.exp(1.2), within(1e-12));
        assertThat(new Scorer.Learnability(false).value(a)).isCloseTo(0.3, within(1e-12));
        assertThat(new Scorer.Learnability(true).value(a)).isCloseTo(0.25, within(1e-12));
        assertThat(new Scorer.Length().value(a)).isEqualTo(7);
        assertThat(Scorer.NAMES).allSatisfy(n -> assertThat(Scorer.parse(n).name()).isEqualTo(n));
    }

    private Path data() throws Exception {
        return Files.write(dir.resolve("data.jsonl"), List.of(
                "{\"instruction\": \"what is a cat\", \"output\": \"a cat is helpful\", \"category\": \"animals\"}",
                "{\"instruction\": \"hello\", \"input\": \"world\", \"output\": \"hello world you are\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"question\"}, {\"role\": \"assistant\", \"content\": \"the answer\"},"
                        + " {\"role\": \"user\", \"content\": \"and a dog\"}, {\"role\": \"assistant\", \"content\": \"a dog is on the mat\"}]}",
                "{\"instruction\": \"no output\"}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"what is the mat\"}, {\"from\": \"gpt\", \"value\": \"the mat is the mat\"}]}",
                "{\"instruction\": \"calculate the cat\", \"output\": \"the cat sat\"}"));
    }

    @Test
    void batchedScoresEqualEachSampleAloneAndAResumedPassEqualsAFreshOne() throws Exception {
        TagRules rules = new TagRules(Map.of("logic/math", List.of("calculate")));
        SelectionData sd = SelectionData.load(List.of(data()), template, 64, "category", rules);
        assertThat(sd.samples()).hasSize(5);
        assertThat(sd.quarantined()).singleElement().satisfies(q -> assertThat(q.line()).isEqualTo(4));
        assertThat(sd.samples()).extracting(SelectionSample::category).containsExactly("animals", "other", "other", "other", "logic/math");
        SelectionSample multi = sd.samples().get(2);
        assertThat(multi.answer()).isEqualTo("a dog is on the mat");
        assertThat(multi.conditioned().trainedTokens()).as("only the last answer is scored")
                .isEqualTo(template.tokenizer().encodeOrdinary("a dog is on the mat").length + 1);

        TeleChat2 model = TinyModels.random(TinyModels.config(template.tokenizer().vocabSize()), cpu, 8, 0.2f);
        TeleChat2 tuned = TinyModels.random(TinyModels.config(template.tokenizer().vocabSize()), cpu, 9, 0.2f);
        Path out = dir.resolve("scores");
        ScoringPass.Summary s = ScoringPass.run(sd.samples(), model, tuned, out, 3, 0, k -> { });
        assertThat(s.scored()).isEqualTo(5);
        Map<Long, AnswerStats> stats = ScoringPass.read(out);
        double[][] emb = ScoringPass.embeddings(out, 5, 64);
        for (SelectionSample x : sd.samples()) {
            AnswerStats st = stats.get(x.index());
            float[][] e = new float[1][];
            try (var ignored = cpu.noGrad()) {
                int len = x.conditioned().length();
                float loss = model.loss(x.conditioned().ids(), x.conditioned().targets(), 1, len).item();
                assertThat(st.conditioned()).as("s(A|Q) of sample " + x.index()).isCloseTo(loss, within(2e-5));
                int dl = x.direct().length();
                assertThat(st.direct()).isCloseTo(model.loss(x.direct().ids(), x.direct().targets(), 1, dl).item(), within(2e-5));
                assertThat(st.finetuned()).isCloseTo(tuned.loss(x.conditioned().ids(), x.conditioned().targets(), 1, len).item(), within(2e-5));
                Tensor h = model.hidden(x.conditioned().ids(), 1, len);
                float[] hd = h.toArray();
                for (int j = 0; j < 64; j++) {
                    double m = 0;
                    for (int t = 0; t < len; t++) m += hd[t * 64 + j];
                    assertThat(emb[(int) x.index()][j]).isCloseTo(m / len, within(1e-4));
                }
            }
            assertThat(st.answerTokens()).isEqualTo(x.conditioned().trainedTokens());
        }
        List<String> full = Files.readAllLines(out.resolve(ScoringPass.SCORES));
        assertThat(full.getFirst()).contains("\"ifd\"").contains("\"ifd-ppl\"").contains("\"ppl\"").contains("\"learnability\"").contains("\"length\"");

        Path part = dir.resolve("part");
        ScoringPass.run(sd.samples().subList(0, 2), model, tuned, part, 3, 0, k -> { });
        Files.writeString(part.resolve(ScoringPass.SCORES), Files.readString(part.resolve(ScoringPass.SCORES)) + "{\"index\": 2, \"sou"); // torn
        ScoringPass.Summary resumed = ScoringPass.run(sd.samples(), model, tuned, part, 3, 0, k -> { });
        assertThat(resumed.alreadyDone()).isEqualTo(2);
        assertThat(resumed.scored()).isEqualTo(3);
        assertThat(Files.readAllLines(part.resolve(ScoringPass.SCORES))).isEqualTo(full);
        double[][] emb2 = ScoringPass.embeddings(part, 5, 64);
        for (int i = 0; i < 5; i++) assertThat(emb2[i]).containsExactly(emb[i]);
    }
}
