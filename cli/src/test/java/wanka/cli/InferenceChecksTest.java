package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.CliTest.run;

/** generate and chat on models a user should be told about: broken weights, lengths past training. */
class InferenceChecksTest {

    /** A tiny random model (vocabulary 64, trained length 16) saved as an HF directory after {@code edit}. */
    static Path tinyModel(Path dir, Consumer<TeleChat2> edit) throws IOException {
        try (CpuDevice cpu = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(TeleChat2Config.of(64, 16, 2, 2, 2, 32, 16), cpu, 7);
            edit.accept(m);
            ModelIO.save(m, dir);
        }
        return dir;
    }

    @Test
    void weightsHoldingNanAreRefusedByTensorName(@TempDir Path dir) throws IOException {
        Path model = tinyModel(dir.resolve("m"), m -> {
            Tensor t = m.parameters().get("transformer.h.0.self_attention.dense.weight");
            java.util.Arrays.fill(t.data(), Float.NaN);
        });
        for (String mmap : new String[]{"--threads=1", "--no-mmap"}) {
            String out = CliTest.stdout(() -> {
                CliTest.Outcome o = run("generate", "--model", model.toString(), "--prompt-ids", "1,5", "--print-ids", "--max-new-tokens", "4", mmap);
                assertThat(o.code()).as(mmap).isEqualTo(1);
                assertThat(o.err()).as(mmap).contains("transformer.h.0.self_attention.dense.weight").contains("non-finite").hasLineCount(1);
            });
            assertThat(out).as(mmap).isEmpty();
        }
    }

    /** A model whose lm_head is zero: every logit is 0, so greedy decoding picks id 0 forever and never stops early. */
    private static Path zeroHeadModel(Path dir) throws IOException {
        return tinyModel(dir.resolve("zero"), m -> java.util.Arrays.fill(m.parameters().get("lm_head.weight").data(), 0f));
    }

    @Test
    void generationPastTheTrainingLengthWarnsOnce(@TempDir Path dir) throws IOException {
        Path model = zeroHeadModel(dir);
        String[] out = new String[1];
        String ids = CliTest.stdout(() -> {
            CliTest.Outcome o = run("generate", "--model", model.toString(), "--prompt-ids", "1,5", "--print-ids", "--max-new-tokens", "40");
            assertThat(o.code()).as(o.err()).isZero();
            out[0] = o.err();
        });
        assertThat(ids.strip().split(",")).hasSize(40);
        assertThat(out[0]).containsOnlyOnce("warning").contains("training_seqlen 16 at token 17").contains("may run to 42").contains("NTK");
        String shortRun = CliTest.stdout(() -> {
            CliTest.Outcome o = run("generate", "--model", model.toString(), "--prompt-ids", "1,5", "--print-ids", "--max-new-tokens", "14");
            assertThat(o.code()).isZero();
            assertThat(o.err()).doesNotContain("warning");
        });
        assertThat(shortRun.strip().split(",")).hasSize(14);
    }

    @Test
    void printIdsStreamsEachIdAsItIsSampled(@TempDir Path dir) throws IOException {
        Path model = zeroHeadModel(dir);
        java.util.List<String> flushed = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushed.add(toString(java.nio.charset.StandardCharsets.UTF_8));
            }
        };
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, false, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(run("generate", "--model", model.toString(), "--prompt-ids", "1", "--print-ids", "--max-new-tokens", "5").code()).isZero();
        } finally {
            System.setOut(old);
        }
        // What a reader of the pipe had seen after each flush: every id as soon as it was chosen.
        assertThat(flushed).containsSubsequence("0", "0,0", "0,0,0", "0,0,0,0", "0,0,0,0,0");
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8).strip()).isEqualTo("0,0,0,0,0");
    }
}
