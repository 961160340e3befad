package wanka.align.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.Quarantined;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared post-training JSONL reader: file and 1-based line of every quarantined line, blank lines skipped, counts. */
class QuarantiningJsonlTest {
    @TempDir
    Path tmp;

    @Test
    void quarantinesBadLinesWithFileAndLineAndKeepsTheRestInOrder() throws Exception {
        Path a = tmp.resolve("a.jsonl"), b = tmp.resolve("b.jsonl");
        Files.writeString(a, "{\"x\": 1}\n\n{not json\n[1, 2]\n{\"x\": 2}\n");
        Files.writeString(b, "{\"x\": -1}\r\n{\"x\": 3}");
        var r = QuarantiningJsonl.readEach(List.of(a, b), (f, line, node, text, index) -> {
            int x = node.get("x").asInt();
            if (x < 0) throw new BadSampleException("negative x");
            assertThat(text).doesNotEndWith("\r");
            return f.getFileName() + ":" + line + "#" + index + "=" + x;
        });
        assertThat(r.items()).containsExactly("a.jsonl:1#0=1", "a.jsonl:5#1=2", "b.jsonl:2#2=3");
        assertThat(r.quarantined()).extracting(Quarantined::file, Quarantined::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple(a, 3L), org.assertj.core.groups.Tuple.tuple(a, 4L), org.assertj.core.groups.Tuple.tuple(b, 1L));
        assertThat(r.quarantined()).extracting(Quarantined::reason).satisfiesExactly(
                s -> assertThat(s).startsWith("not valid JSON"), s -> assertThat(s).isEqualTo("not a JSON object"), s -> assertThat(s).isEqualTo("negative x"));
    }

    @Test
    void severalItemsPerLine() throws Exception {
        Path a = tmp.resolve("a.jsonl");
        Files.writeString(a, "{\"n\": 2}\n{\"n\": 0}\n{\"n\": 1}\n");
        var r = QuarantiningJsonl.read(List.of(a), (f, line, node, text, index) -> java.util.Collections.nCopies(node.get("n").asInt(), line + "@" + index));
        assertThat(r.items()).containsExactly("1@0", "1@0", "3@2");
        assertThat(r.quarantined()).isEmpty();
    }

    @Test
    void notUtf8NamesTheFileAndTheLine() throws Exception {
        Path a = tmp.resolve("bin.jsonl");
        Files.write(a, new byte[]{'{', '}', '\n', '{', '"', (byte) 0xff, '"', '}', '\n'});
        assertThatThrownBy(() -> QuarantiningJsonl.readEach(List.of(a), (f, line, node, text, index) -> text))
                .hasMessage(a + ":2: not UTF-8 text");
    }
}
