package wanka.curate.readers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipException;

/**
 * Reads a (optionally gzipped) file line by line as bytes and decodes each line strictly as UTF-8. A line longer than
 * the byte limit is not held in memory: its first kilobyte is kept as a sample and it is reported as an error. A .gz
 * file that is cut short, corrupt or followed by garbage is read up to the damage, which is returned as a {@link Cut}.
 * A plain file whose last line has no newline is read as usual (its last line is complete as far as anyone can tell).
 */
final class Lines {
    /** Default longest line (one JSONL document): 64 MiB. */
    static final long DEFAULT_MAX_BYTES = 64L << 20;
    private static final int SAMPLE_BYTES = 1024;

    /** One line: its number (1-based), the text (lossy if invalid) and, if invalid, where. */
    record Line(long number, String text, String error) {
    }

    /** Where a damaged .gz file stopped: after {@code lines} complete lines; {@code partial} is what was read of the next one. */
    record Cut(long lines, String partial, String reason) {
    }

    interface Sink {
        void accept(Line line) throws IOException;
    }

    private Lines() {
    }

    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return file.getFileName().toString().endsWith(".gz") ? new BufferedInputStream(new GzipInput(in), 1 << 16) : in;
    }

    /**
     * Feeds every line to {@code sink}; returns the damage of a .gz file, if any, after feeding every complete line
     * decompressed before it. Other I/O errors (a missing or unreadable file) are thrown.
     */
    static Optional<Cut> forEach(Path file, long maxBytes, Sink sink) throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        InputStream opened;
        try {
            opened = open(file);
        } catch (EOFException | ZipException e) { // only GzipInput throws these: a damaged header
            return Optional.of(new Cut(0, "", e.getMessage()));
        }
        try (InputStream in = opened) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
            long n = 0, length = 0;
            int b;
            while (true) {
                try {
                    b = in.read();
                } catch (EOFException | ZipException e) {
                    return Optional.of(new Cut(n, new String(buf.toByteArray(), StandardCharsets.UTF_8), e.getMessage()));
                }
                if (b == '\n' || b < 0) {
                    if (b < 0 && buf.size() == 0) break;
                    n++;
                    if (length > maxBytes) {
                        sink.accept(new Line(n, new String(buf.toByteArray(), StandardCharsets.UTF_8),
                                "line " + n + " is " + length + " bytes, over the limit of " + maxBytes + " (input.max_document_bytes)"));
                        buf.reset();
                        length = 0;
                        if (b < 0) break;
                        continue;
                    }
                    byte[] bytes = buf.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    String text, error = null;
                    try {
                        text = strict.decode(ByteBuffer.wrap(bytes, 0, len)).toString();
                    } catch (CharacterCodingException e) {
                        text = new String(bytes, 0, len, StandardCharsets.UTF_8);
                        error = "invalid UTF-8 on line " + n;
                    }
                    sink.accept(new Line(n, text, error));
                    buf.reset();
                    length = 0;
                    if (b < 0) break;
                } else {
                    length++;
                    if (length <= maxBytes) buf.write(b);
                    else if (length == maxBytes + 1) {
                        byte[] head = java.util.Arrays.copyOf(buf.toByteArray(), (int) Math.min(SAMPLE_BYTES, buf.size()));
                        buf = new ByteArrayOutputStream(4096);
                        buf.write(head, 0, head.length);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
