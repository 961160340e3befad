package wanka.align.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.Quarantined;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of post-training input JSONL (SFT data, preference pairs, selection data, West-of-N prompts): files in
 * order, line by line; blank lines skipped; a line that is not a JSON object, or that the {@link LineParser} rejects with
 * a {@link BadSampleException}, is quarantined with its file, 1-based line and reason and counted, never silently
 * dropped. A file that is not UTF-8 is an error naming the file and the line (each line is decoded on its own, so the
 * line number is exact). Lines end at LF or CRLF.
 */
public final class QuarantiningJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QuarantiningJsonl() {
    }

    /** Turns one line's JSON object into items (none, one or several); throws to quarantine the line. */
    @FunctionalInterface
    public interface LineParser<T> {
        /**
         * @param file  the file being read
         * @param line  the 1-based line number
         * @param node  the line as a JSON object
         * @param text  the line as read
         * @param index how many items the files gave before this line
         */
        List<T> parse(Path file, long line, JsonNode node, String text, int index) throws BadSampleException;
    }

    /** What the files gave: the items in order, and the lines set aside. */
    public record Result<T>(List<T> items, List<Quarantined> quarantined) {
        public Result {
            items = List.copyOf(items);
            quarantined = List.copyOf(quarantined);
        }
    }

    /** One item per line. */
    public static <T> Result<T> readEach(List<Path> files, SingleParser<T> parser) throws IOException {
        return read(files, (f, l, n, t, i) -> List.of(parser.parse(f, l, n, t, i)));
    }

    /** {@link LineParser} for exactly one item per line. */
    @FunctionalInterface
    public interface SingleParser<T> {
        T parse(Path file, long line, JsonNode node, String text, int index) throws BadSampleException;
    }

    public static <T> Result<T> read(List<Path> files, LineParser<T> parser) throws IOException {
        List<T> ok = new ArrayList<>();
        List<Quarantined> bad = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                long line = 0;
                for (boolean more = true; more; ) {
                    buf.reset();
                    int c;
                    while ((c = in.read()) != -1 && c != '\n') buf.write(c);
                    more = c != -1;
                    if (!more && buf.size() == 0) break;
                    line++;
                    byte[] bytes = buf.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length; // CRLF files
                    String text;
                    try {
                        text = utf8.decode(ByteBuffer.wrap(bytes, 0, n)).toString();
                    } catch (CharacterCodingException e) {
                        throw new IOException(f + ":" + line + ": not UTF-8 text", e);
                    }
                    if (text.isBlank()) continue;
                    try {
                        ok.addAll(parser.parse(f, line, object(text), text, ok.size()));
                    } catch (BadSampleException e) {
                        bad.add(new Quarantined(f, line, e.getMessage()));
                    }
                }
            }
        }
        return new Result<>(ok, bad);
    }

    /** A line as a JSON object, or the reason it is not one. */
    public static JsonNode object(String text) throws BadSampleException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadSampleException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new BadSampleException("not a JSON object");
        return node;
    }
}
