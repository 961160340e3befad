package wanka.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static wanka.cli.CliTest.run;

/** {@code tokenizer encode} as spm_encode: one line in, one line of ids or pieces out, from a file or standard input. */
class TokenizerEncodeTest {
    @TempDir
    static Path dir;
    static Path tok;

    @BeforeAll
    static void trainTokenizer() throws IOException {
        tok = dir.resolve("tok");
        assertThat(run("tokenizer", "train", CliTest.corpus(dir).toString(), "--vocab", "600", "--out", tok.toString()).code()).isZero();
    }

    private static String encodeOne(String text, String... extra) {
        String[] args = {"tokenizer", "encode", "--tokenizer", tok.toString(), text};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliTest.stdout(() -> assertThat(run(all).code()).isZero());
    }

    @Test
    void eachLineOfAFileBecomesOneLineOfIdsOrPieces() throws IOException {
        List<String> lines = List.of("the council adopted the proposal", "", "春眠不觉晓，处处闻啼鸟。 1999", "members of parliament");
        Path in = dir.resolve("in.txt");
        Files.write(in, lines);
        Path ids = dir.resolve("out.ids");
        CliTest.Outcome o = run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", in.toString(), "--output", ids.toString());
        assertThat(o.code()).as(o.err()).isZero();
        List<String> got = Files.readAllLines(ids);
        assertThat(got).hasSize(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) assertThat(got.get(i)).isEmpty();
            else assertThat(got.get(i)).matches("\\d+(,\\d+)*").isEqualTo(encodeOne(lines.get(i)).strip());
        }
        String pieces = CliTest.stdout(() -> assertThat(run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", in.toString(), "--pieces").code()).isZero());
        List<String> pieceLines = pieces.lines().toList();
        assertThat(pieceLines).hasSize(lines.size());
        assertThat(pieceLines.get(0)).contains("▁").doesNotContain(",").isEqualTo(encodeOne(lines.get(0), "--pieces").strip());
    }

    @Test
    void standardInputIsEncodedLineByLineAsItArrives() throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setIn(new PipedInputStream(feed, 1 << 16));
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Thread t = Thread.ofPlatform().start(() -> assertThat(run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", "-").code()).isZero());
            feed.write("the council\n".getBytes(StandardCharsets.UTF_8));
            feed.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!buf.toString(StandardCharsets.UTF_8).contains("\n") && System.nanoTime() < deadline) Thread.sleep(10);
            // The first line's ids are out while the input is still open.
            assertThat(buf.toString(StandardCharsets.UTF_8).strip()).isEqualTo(encodeOne("the council").strip());
            feed.write("the budget".getBytes(StandardCharsets.UTF_8)); // the last line needs no newline
            feed.close();
            t.join(30_000);
            assertThat(buf.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
    }

    @Test
    void aLineThatIsNotUtf8IsNamedByNumberAfterTheLinesBeforeItAreWritten() throws IOException {
        Path in = dir.resolve("bad.txt");
        Files.write(in, new byte[]{'t', 'h', 'e', '\n', 'o', 'k', '\n', 'b', 'a', (byte) 0xC0, 'd', '\n', 'x', '\n'});
        Path out = dir.resolve("bad.ids");
        CliTest.Outcome o = run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", in.toString(), "--output", out.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains(in.toString()).contains("not valid UTF-8 at line 3").hasLineCount(1);
        assertThat(Files.readAllLines(out)).hasSize(2);
    }

    @Test
    void textOrInputIsNeeded() {
        assertThat(run("tokenizer", "encode", "--tokenizer", tok.toString()).err()).contains("--input").hasLineCount(1);
        CliTest.Outcome both = run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", "-", "hello");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("not both");
        assertThat(run("tokenizer", "encode", "--tokenizer", tok.toString(), "--input", dir.resolve("missing.txt").toString()).err())
                .contains("missing.txt").hasLineCount(1);
    }
}
