package wanka.curate.readers;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses gzip data (one member or several concatenated) like {@link java.util.zip.GZIPInputStream}, but
 * strictly: bytes after the last member that are not another member are an error (the JDK ignores them, which
 * would silently drop a concatenated member whose header is damaged), and every error says at which compressed
 * byte it was found. A cut stream throws {@link EOFException}, corrupt data or a failed check {@link ZipException};
 * everything decompressed before the damage has already been returned by then.
 */
final class GzipInput extends InputStream {
    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;
    private final PushbackInputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private int filled; // bytes of buf last given to the inflater
    private long consumed; // compressed bytes taken from the input so far
    private int member = 1;
    private boolean done;

    GzipInput(InputStream raw) throws IOException {
        in = new PushbackInputStream(raw, buf.length);
        int b1 = in.read();
        if (b1 < 0) throw new EOFException("the file is empty (0 bytes), so it holds no gzip data");
        header(b1);
    }

    /** Reads a member header whose first byte is {@code b1}. */
    private void header(int b1) throws IOException {
        consumed++;
        int b2 = next("gzip header");
        if (b1 != 0x1f || b2 != 0x8b) {
            if (member == 1) throw new ZipException("not gzip data: no gzip header at byte 0");
            long rest = 2 + in.transferTo(OutputStream.nullOutputStream());
            throw new ZipException(rest + " bytes of trailing garbage after the last gzip member, from byte " + (consumed - 2));
        }
        if (next("gzip header") != 8) throw new ZipException("gzip member " + member + " at byte " + (consumed - 3) + " is not deflate-compressed");
        int flags = next("gzip header");
        for (int i = 0; i < 6; i++) next("gzip header"); // mtime, extra flags, OS
        if ((flags & FEXTRA) != 0) {
            int len = next("gzip header") | next("gzip header") << 8;
            for (int i = 0; i < len; i++) next("gzip header");
        }
        if ((flags & FNAME) != 0) while (next("gzip header") != 0) ;
        if ((flags & FCOMMENT) != 0) while (next("gzip header") != 0) ;
        if ((flags & FHCRC) != 0) {
            next("gzip header");
            next("gzip header");
        }
    }

    /** One byte of a header or trailer; the stream ending here means it was cut. */
    private int next(String what) throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("truncated: the file ends inside a " + what + " at byte " + consumed);
        consumed++;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) return -1;
        if (len == 0) return 0;
        while (true) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt compressed data near byte " + (consumed - inflater.getRemaining()) + ": " + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                if (endMember()) return -1;
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt compressed data near byte " + consumed + ": asks for a preset dictionary");
            } else if (inflater.needsInput()) {
                filled = in.read(buf);
                if (filled < 0) throw new EOFException("truncated: the gzip data ends early, at byte " + consumed);
                consumed += filled;
                inflater.setInput(buf, 0, filled);
            }
        }
    }

    /** Checks the member's trailer and starts the next member; true at the end of the data. */
    private boolean endMember() throws IOException {
        int rest = inflater.getRemaining();
        in.unread(buf, filled - rest, rest);
        consumed -= rest;
        long expectCrc = 0, expectSize = 0;
        for (int i = 0; i < 4; i++) expectCrc |= (long) next("gzip trailer") << (8 * i);
        for (int i = 0; i < 4; i++) expectSize |= (long) next("gzip trailer") << (8 * i);
        if (expectCrc != crc.getValue()) throw new ZipException("CRC check failed for gzip member " + member + ": the data decompressed from it is corrupt");
        if (expectSize != (inflater.getBytesWritten() & 0xffffffffL)) throw new ZipException("size check failed for gzip member " + member);
        inflater.reset();
        crc.reset();
        filled = 0;
        int b1 = in.read();
        if (b1 < 0) return done = true;
        member++;
        header(b1);
        return false;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
