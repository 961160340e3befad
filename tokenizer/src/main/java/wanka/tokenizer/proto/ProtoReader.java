package wanka.tokenizer.proto;

import java.nio.charset.StandardCharsets;

/**
 * Minimal protocol-buffers wire-format reader: iterate fields with {@link #next()}, then read the value with the
 * accessor matching the field's wire type. Enough for SentencePiece's {@code ModelProto}; no reflection, no schema.
 */
public final class ProtoReader {
    /** Wire types of the protobuf encoding. */
    public static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final byte[] buf;
    private final String what;
    private int pos;
    private final int end;
    private int tag;
    private int fieldStart;

    /** Reads {@code buf[from, to)}; {@code what} names the source in error messages. */
    public ProtoReader(byte[] buf, int from, int to, String what) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.what = what;
    }

    /** Reads a whole buffer. */
    public ProtoReader(byte[] buf, String what) {
        this(buf, 0, buf.length, what);
    }

    /** Advances to the next field; false at the end of the message. */
    public boolean next() {
        if (pos >= end) return false;
        fieldStart = pos;
        tag = (int) varintRaw();
        if (field() == 0) throw error("field number 0");
        return true;
    }

    /** Field number of the current field. */
    public int field() { return tag >>> 3; }

    /** Wire type of the current field. */
    public int wireType() { return tag & 7; }

    /** Offset where the current field (its tag) starts; with {@link #position()} it delimits the raw field bytes. */
    public int fieldStart() { return fieldStart; }

    /** Current read offset. */
    public int position() { return pos; }

    /** The backing buffer. */
    public byte[] buffer() { return buf; }

    /** Reads a varint value (int32/int64/uint/bool/enum). */
    public long varint() {
        expect(VARINT);
        return varintRaw();
    }

    /** Reads a bool. */
    public boolean bool() { return varint() != 0; }

    /** Reads a fixed32 float. */
    public float float32() {
        expect(FIXED32);
        if (pos + 4 > end) throw error("truncated float");
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(v);
    }

    /** Reads a length-delimited value as bytes. */
    public byte[] bytes() {
        int len = lengthPrefix();
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    /** Reads a length-delimited UTF-8 string. */
    public String string() {
        int len = lengthPrefix();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Returns a reader over an embedded message and skips it here. */
    public ProtoReader message() {
        int len = lengthPrefix();
        ProtoReader r = new ProtoReader(buf, pos, pos + len, what);
        pos += len;
        return r;
    }

    /** Skips the current field's value. */
    public void skip() {
        switch (wireType()) {
            case VARINT -> varintRaw();
            case FIXED64 -> pos += 8;
            case LEN -> { int len = lengthPrefix(); pos += len; }
            case FIXED32 -> pos += 4;
            default -> throw error("unsupported wire type " + wireType() + " for field " + field());
        }
        if (pos > end) throw error("truncated field " + field());
    }

    private int lengthPrefix() {
        expect(LEN);
        long len = varintRaw();
        if (len < 0 || pos + len > end) throw error("bad length " + len + " for field " + field());
        return (int) len;
    }

    private void expect(int wire) {
        if (wireType() != wire) throw error("field " + field() + " has wire type " + wireType() + ", expected " + wire);
    }

    private long varintRaw() {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw error("truncated varint");
            byte b = buf[pos++];
            r |= (long) (b & 0x7F) << shift;
            if (b >= 0) return r;
        }
        throw error("varint too long");
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException(what + ": malformed protobuf at byte " + pos + ": " + msg);
    }
}
