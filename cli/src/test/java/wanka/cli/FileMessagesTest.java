package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.CliTest.run;

/** Bad input files are named, with where in them the problem is. */
class FileMessagesTest {

    @Test
    void trainingATokenizerOnBinaryDataNamesTheFileLineAndByte(@TempDir Path dir) throws IOException {
        Path bin = dir.resolve("model.bin");
        Files.write(bin, new byte[]{'o', 'k', '\n', 'a', 'b', (byte) 0xC3, '(', 0, 1, '\n'});
        CliTest.Outcome o = run("tokenizer", "train", bin.toString(), "--vocab", "600", "--out", dir.resolve("tok").toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(bin.toString()).contains("not valid UTF-8").contains("line 2").contains("byte offset 5")
                .doesNotContain("Input length").hasLineCount(1);
    }

    @Test
    void aTruncatedTokenizerFileIsNamed(@TempDir Path dir) throws IOException {
        Path text = CliTest.corpus(dir);
        Path tok = dir.resolve("tok");
        assertThat(run("tokenizer", "train", text.toString(), "--vocab", "600", "--out", tok.toString()).code()).isZero();
        Path json = tok.resolve("tokenizer.json"), model = tok.resolve("tokenizer.model");
        byte[] full = Files.readAllBytes(json);
        Files.write(json, java.util.Arrays.copyOf(full, full.length / 2));
        CliTest.Outcome o = run("tokenizer", "encode", "--tokenizer", tok.toString(), "the council");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(json.toString()).contains("not valid JSON").contains("line ").hasLineCount(1);

        Files.delete(json); // the SentencePiece .model is read instead; cut it too
        byte[] proto = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(proto, proto.length / 2));
        CliTest.Outcome m = run("tokenizer", "encode", "--tokenizer", tok.toString(), "the council");
        assertThat(m.code()).isEqualTo(1);
        assertThat(m.err()).contains(model.toString()).hasLineCount(1);
    }

    @Test
    void anOutputDirectoryThatIsAFileIsRefusedByOption(@TempDir Path dir) throws IOException {
        Path text = CliTest.corpus(dir);
        Path file = dir.resolve("taken");
        Files.writeString(file, "not a directory");
        Files.writeString(dir.resolve("p.yaml"), "input:\n  reader: text\n  paths: [corpus.txt]\nsteps:\n  - type: jsonl_writer\n");
        String[][] commands = {
                {"tokenizer", "train", text.toString(), "--vocab", "600", "--out", file.toString()},
                {"tokenizer", "train", text.toString(), "--vocab", "600", "--out", file.resolve("sub").toString()},
                {"data", "run", dir.resolve("p.yaml").toString(), "--out", file.toString(), "--threads", "1"},
                {"data", "report", "--out", file.toString()},
                {"data", "slurm", dir.resolve("p.yaml").toString(), "--out", file.toString()}};
        for (String[] c : commands) {
            CliTest.Outcome o = run(c);
            assertThat(o.code()).as(String.join(" ", c)).isEqualTo(1);
            assertThat(o.err()).as(String.join(" ", c)).contains("--out").contains(file.toString()).contains("is an existing file, not a directory").hasLineCount(1);
        }
        assertThat(Files.readString(file)).isEqualTo("not a directory");
    }
}
