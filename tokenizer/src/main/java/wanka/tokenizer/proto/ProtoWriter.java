package wanka.tokenizer.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Minimal protocol-buffers wire-format writer, the counterpart of {@link ProtoReader}. */
public final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Writes a varint field (int32, int64, enum). Negative int32 values take ten bytes, as protobuf requires. */
    public ProtoWriter varint(int field, long value) {
        tag(field, ProtoReader.VARINT);
        raw(value);
        return this;
    }

    /** Writes a bool field. */
    public ProtoWriter bool(int field, boolean value) { return varint(field, value ? 1 : 0); }

    /** Writes a float field. */
    public ProtoWriter float32(int field, float value) {
        tag(field, ProtoReader.FIXED32);
        int v = Float.floatToRawIntBits(value);
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        return this;
    }

    /** Writes a length-delimited bytes field. */
    public ProtoWriter bytes(int field, byte[] value) {
        tag(field, ProtoReader.LEN);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    /** Writes a UTF-8 string field. */
    public ProtoWriter string(int field, String value) { return bytes(field, value.getBytes(StandardCharsets.UTF_8)); }

    /** Writes an embedded message field. */
    public ProtoWriter message(int field, ProtoWriter message) { return bytes(field, message.toByteArray()); }

    /** Appends already-encoded fields verbatim (used to keep fields this code does not model). */
    public ProtoWriter rawFields(byte[] encoded) {
        out.writeBytes(encoded);
        return this;
    }

    /** The encoded message. */
    public byte[] toByteArray() { return out.toByteArray(); }

    private void tag(int field, int wire) { raw((long) field << 3 | wire); }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
