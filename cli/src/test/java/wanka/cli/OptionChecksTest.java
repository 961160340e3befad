package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.CliTest.run;

/** Out-of-range options are refused up front with one line naming the option and the allowed range. */
class OptionChecksTest {

    private static CliTest.Outcome pretrain(Path dir, String... extra) {
        String[] common = {"pretrain", "--preset", "nano", "--text", dir.resolve("corpus.txt").toString(), "--tokenizer", dir.resolve("tok").toString(),
                "--out", dir.resolve("run").toString(), "--quiet"};
        String[] args = java.util.Arrays.copyOf(common, common.length + extra.length);
        System.arraycopy(extra, 0, args, common.length, extra.length);
        return run(args);
    }

    @Test
    void pretrainChecksItsNumbersBeforeTouchingTheData(@TempDir Path dir) throws IOException {
        CliTest.corpus(dir);
        CliTest.Outcome climb = pretrain(dir, "--lr", "1e-4", "--min-lr", "1e-3");
        assertThat(climb.code()).isEqualTo(1);
        assertThat(climb.err()).contains("--min-lr").contains("[0, --lr 1.0E-4]").hasLineCount(1).doesNotContain("Exception");
        assertThat(dir.resolve("run")).doesNotExist(); // refused before tokenizing the text into <out>/data/
        for (String[] bad : new String[][]{{"--warmup", "-1"}, {"--steps", "0"}, {"--batch", "0"}, {"--seq", "1"}, {"--grad-accum", "0"},
                {"--lr", "0"}, {"--lr", "-3e-4"}, {"--weight-decay", "-0.1"}, {"--clip", "-1"}, {"--beta2", "1"}, {"--checkpoint-every", "-5"}}) {
            CliTest.Outcome o = pretrain(dir, bad);
            assertThat(o.code()).as(String.join(" ", bad)).isEqualTo(1);
            assertThat(o.err()).as(String.join(" ", bad)).contains(bad[0]).hasLineCount(1);
        }
    }

    @Test
    void samplingOptionsAreCheckedBeforeTheModelIsLoaded(@TempDir Path dir) {
        String model = dir.resolve("no-model").toString(); // never read: the options are refused first
        for (String[] bad : new String[][]{{"--temperature", "NaN"}, {"--temperature", "-0.5"}, {"--temperature", "Infinity"}, {"--top-p", "0"},
                {"--top-p", "1.5"}, {"--top-p", "NaN"}, {"--top-k", "-1"}, {"--max-new-tokens", "0"}, {"--repetition-penalty", "0"}}) {
            for (String cmd : new String[]{"generate", "chat"}) {
                CliTest.Outcome o = cmd.equals("generate") ? run(cmd, "--model", model, "--prompt-ids", "1", "--print-ids", bad[0], bad[1])
                        : run(cmd, "--model", model, bad[0], bad[1]);
                assertThat(o.code()).as(cmd + " " + String.join(" ", bad)).isEqualTo(1);
                assertThat(o.err()).as(cmd + " " + String.join(" ", bad)).contains(bad[0]).doesNotContain("no-model").hasLineCount(1);
            }
        }
    }

    @Test
    void pretrainRefusesShardsWhoseIdsDoNotFitTheModel(@TempDir Path dir) throws IOException {
        Path shard = dir.resolve("lying.tokens");
        try (var w = new wanka.data.TokenShardWriter(shard, 5000, 2)) {
            w.addDocument(new int[]{5, 6, 4999, 8});
        }
        byte[] b = java.nio.file.Files.readAllBytes(shard);
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, 600); // the header claims a 600-token vocabulary
        java.nio.file.Files.write(shard, b);
        CliTest.Outcome o = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--data", shard.toString(), "--out", dir.resolve("run").toString(),
                "--batch", "1", "--seq", "2", "--steps", "1", "--quiet");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(shard.toString()).contains("token id 4999 at position 2").hasLineCount(1);

        Path wide = dir.resolve("wide.tokens");
        try (var w = new wanka.data.TokenShardWriter(wide, 5000, 2)) {
            w.addDocument(new int[]{5, 6, 7, 8});
        }
        CliTest.Outcome v = run("pretrain", "--preset", "nano", "--vocab-size", "600", "--data", wide.toString(), "--out", dir.resolve("run2").toString(),
                "--batch", "1", "--seq", "2", "--steps", "1", "--quiet");
        assertThat(v.code()).isEqualTo(1);
        assertThat(v.err()).contains(wide.toString()).contains("shard vocabulary 5000 exceeds the model's vocab_size 600").hasLineCount(1);
    }

    @Test
    void aRunThatCannotFitInTheHeapSaysWhatItNeedsBeforeAllocating(@TempDir Path dir) throws IOException {
        Path shard = dir.resolve("a.tokens");
        try (var w = new wanka.data.TokenShardWriter(shard, 600, 2)) {
            w.addDocument(new int[]{5, 6, 7, 8});
        }
        CliTest.Outcome o = run("pretrain", "--preset", "telechat2-7b", "--data", shard.toString(), "--out", dir.resolve("run").toString(), "--quiet");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("needs about").contains("parameters").contains("AdamW moments").contains("activations")
                .contains("the JVM may use").contains("--batch").contains("smaller preset").containsPattern("-Xmx\\d+g|machine with more memory")
                .doesNotContain("OutOfMemoryError").hasLineCount(1);
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
