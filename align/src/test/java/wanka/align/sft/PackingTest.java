package wanka.align.sft;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.align.Fixtures;
import wanka.align.TinyModels;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Packed rows (segment masking, positions restarting per sample) train exactly like the same samples in padded rows. */
class PackingTest {
    private static CpuDevice cpu;
    private static Tokenizer tok;

    @BeforeAll
    static void setUp() {
        cpu = CpuDevice.withThreads(2);
        tok = Fixtures.tokenizer();
    }

    @AfterAll
    static void tearDown() {
        cpu.close();
    }

    private static List<SftSample> samples() throws Exception {
        var template = SftDataset.template(tok);
        String[] qa = {"what is a cat", "a cat is", "hello", "world", "question", "the answer is the mat", "what is", "a dog you are"};
        List<SftSample> out = new ArrayList<>();
        for (int i = 0; i < qa.length; i += 2) {
            String line = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + qa[i] + "\"}, {\"role\": \"assistant\", \"content\": \"" + qa[i + 1] + "\"}]}";
            out.add(SftDataset.render(Path.of("p.jsonl"), i / 2 + 1, line, template, 64));
        }
        return out;
    }

    private static Map<String, float[]> grads(TeleChat2 m) {
        Map<String, float[]> g = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> g.put(k, v.grad().toArray()));
        m.parameters().values().forEach(Tensor::zeroGrad);
        return g;
    }

    @Test
    void packedAndUnpackedGiveEqualLossesAndGradients() throws Exception {
        List<SftSample> s = samples();
        int total = s.stream().mapToInt(SftSample::length).sum();
        assertThat(total).isLessThanOrEqualTo(96);
        TeleChat2 model = TinyModels.random(TinyModels.config(tok.vocabSize()), cpu, 3, 0.3f);

        // all four samples in one packed row of 96 vs four padded rows of 96 (the same rotary table: the row length)
        SftBatch packed = SftPacker.pack(List.of(s), 96, 3);
        assertThat(packed.samples()).isEqualTo(4);
        List<List<SftSample>> oneEach = s.stream().map(List::of).toList();
        SftBatch unpacked = new SftBatch(4, 96, pad(s, 96)[0], pad(s, 96)[1], null, null, 4);

        Tensor lp = SftLoss.of(model, packed);
        float packedLoss = lp.item();
        lp.backward();
        Map<String, float[]> gp = grads(model);
        Tensor lu = SftLoss.of(model, unpacked);
        float unpackedLoss = lu.item();
        lu.backward();
        Map<String, float[]> gu = grads(model);

        System.out.printf("packed loss %.8f unpacked %.8f%n", packedLoss, unpackedLoss);
        assertThat(packedLoss).isCloseTo(unpackedLoss, org.assertj.core.data.Offset.offset(2e-6f * Math.max(1, unpackedLoss)));
        double worst = 0;
        for (String name : gp.keySet()) {
            float[] a = gp.get(name), b = gu.get(name);
            double scale = 0, diff = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(b[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            worst = Math.max(worst, diff / Math.max(scale, 1e-6));
            assertThat(diff).as("gradient of %s: packed vs unpacked (max |grad| %s)", name, scale).isLessThanOrEqualTo(1e-4 * Math.max(scale, 1e-3));
        }
        System.out.printf("packed vs unpacked gradients: max relative deviation %.3g%n", worst);

        // Without the segment mask and position restart (plain causal over the packed row) the loss differs: the check has teeth.
        try (var ignored = cpu.noGrad()) {
            float naive = model.loss(packed.inputs(), packed.targets(), 1, 96).item();
            assertThat(Math.abs(naive - unpackedLoss)).isGreaterThan(1e-3f);
        }
        assertThat(oneEach).hasSize(4);
    }

    @Test
    void packerFillsRowsGreedilyWithRestartingPositionsAndCoversEverySample() throws Exception {
        List<SftSample> s = samples();
        SftPacker packer = new SftPacker(s, 1, 40, 3, 9);
        int seen = 0;
        for (int k = 0; k < 6; k++) {
            SftBatch b = packer.get(k);
            assertThat(b.packed()).isTrue();
            seen += b.samples();
            for (int t = 1; t < b.seq(); t++) {
                if (b.segments()[t] == b.segments()[t - 1]) assertThat(b.positions()[t]).isEqualTo(b.positions()[t - 1] + 1);
                else assertThat(b.positions()[t]).isZero();
            }
        }
        assertThat(seen).isGreaterThanOrEqualTo(8); // at least two epochs of four samples over six rows
        assertThat(new SftPacker(s, 1, 40, 3, 9).get(3).inputs()).isEqualTo(packer.get(3).inputs());
    }

    private static int[][] pad(List<SftSample> s, int seq) {
        int[] in = new int[s.size() * seq], tg = new int[s.size() * seq];
        java.util.Arrays.fill(in, 3);
        java.util.Arrays.fill(tg, -100);
        for (int r = 0; r < s.size(); r++) {
            System.arraycopy(s.get(r).ids(), 0, in, r * seq, s.get(r).length());
            System.arraycopy(s.get(r).targets(), 0, tg, r * seq, s.get(r).length());
        }
        return new int[][]{in, tg};
    }
}
