package wanka.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8LinesTest {

    private static List<String> lines(byte[] b) throws IOException {
        List<String> out = new ArrayList<>();
        try (Utf8Lines in = new Utf8Lines(new ByteArrayInputStream(b), "t")) {
            for (String l; (l = in.next()) != null; ) out.add(l);
        }
        return out;
    }

    @Test
    void splitsLikeReadLine() throws IOException {
        assertThat(lines("a\r\n\nb 春\nc".getBytes(StandardCharsets.UTF_8))).containsExactly("a", "", "b 春", "c");
        assertThat(lines("a\n".getBytes(StandardCharsets.UTF_8))).containsExactly("a");
        assertThat(lines(new byte[0])).isEmpty();
    }

    @Test
    void linesLongerThanTheBufferAndCharactersAcrossItsEdgeSurvive() throws IOException {
        String first = "x".repeat((1 << 16) - 1) + "春眠不觉晓" + "y".repeat(100_000);
        assertThat(lines((first + "\nend\n").getBytes(StandardCharsets.UTF_8))).containsExactly(first, "end");
    }

    @Test
    void malformedBytesNameTheLineAndOffset() {
        byte[] b = {'a', '\n', 'b', 'c', '\n', 'd', (byte) 0xFF, '\n'};
        assertThatThrownBy(() -> lines(b)).hasMessage("t: not valid UTF-8 at line 3 (byte offset 6)");
        byte[] cut = {'o', 'k', '\n', (byte) 0xE6, (byte) 0x98}; // a character cut off by the end of the input
        assertThatThrownBy(() -> lines(cut)).hasMessageContaining("line 2").hasMessageContaining("byte offset 3");
    }
}
