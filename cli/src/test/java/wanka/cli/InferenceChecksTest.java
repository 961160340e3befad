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
}
