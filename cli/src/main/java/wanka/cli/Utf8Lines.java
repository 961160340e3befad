package wanka.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 text line by line as it arrives (a line ends at {@code \n}, a {@code \r} before it is dropped),
 * decoding strictly: a byte sequence that is not UTF-8 is an error naming the source, the line and the byte offset.
 */
final class Utf8Lines implements AutoCloseable {
    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos, limit;
    private byte[] line = new byte[256];
    private long lineNumber, offset; // offset: bytes before the current line

    /** @param source how errors name the input, e.g. the file name or "standard input" */
    Utf8Lines(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The next line without its terminator, or null at the end of the input. */
    String next() throws IOException {
        int len = 0;
        boolean sawNewline = false;
        while (!sawNewline) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (len == 0) return null;
                    break;
                }
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') pos++;
            int n = pos - start;
            if (len + n > line.length) line = Arrays.copyOf(line, Math.max(2 * line.length, len + n));
            System.arraycopy(buf, start, line, len, n);
            len += n;
            if (pos < limit) {
                pos++; // the newline
                sawNewline = true;
            }
        }
        lineNumber++;
        String s = decode(len > 0 && line[len - 1] == '\r' ? len - 1 : len);
        offset += len + (sawNewline ? 1 : 0);
        return s;
    }

    /** The number of the line last returned (1-based). */
    long lineNumber() {
        return lineNumber;
    }

    private String decode(int len) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(line, 0, len);
        CharBuffer chars = CharBuffer.allocate(len);
        decoder.reset();
        CoderResult r = decoder.decode(bytes, chars, true);
        if (!r.isError()) r = decoder.flush(chars);
        if (r.isError()) {
            throw new IOException(source + ": not valid UTF-8 at line " + lineNumber + " (byte offset " + (offset + bytes.position()) + ")");
        }
        return chars.flip().toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
