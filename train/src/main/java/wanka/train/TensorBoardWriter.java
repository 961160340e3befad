package wanka.train;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes scalar summaries as a TensorBoard event file: TFRecord framing (length, masked CRC-32C of the
 * length, payload, masked CRC-32C of the payload) around {@code tensorflow.Event} protobufs with a
 * {@code Summary} of simple values. Hand-encoded: the format is three tiny messages.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final OutputStream out;
    private final Path file;

    public TensorBoardWriter(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host = "wanka";
        this.file = dir.resolve("events.out.tfevents." + (System.currentTimeMillis() / 1000) + "." + host);
        this.out = new BufferedOutputStream(Files.newOutputStream(file));
        Proto e = new Proto();
        e.fixed64(1, Double.doubleToLongBits(System.currentTimeMillis() / 1000.0));
        e.string(3, "brain.Event:2");
        record(e.bytes());
    }

    public Path file() {
        return file;
    }

    /** Writes one event holding the given scalars at {@code step}. */
    public void scalars(long step, Map<String, Double> values) throws IOException {
        Proto summary = new Proto();
        for (var v : values.entrySet()) {
            Proto value = new Proto();
            value.string(1, v.getKey());
            value.fixed32(2, Float.floatToIntBits(v.getValue().floatValue()));
            summary.message(1, value.bytes());
        }
        Proto event = new Proto();
        event.fixed64(1, Double.doubleToLongBits(System.currentTimeMillis() / 1000.0));
        event.varint(2, step);
        event.message(5, summary.bytes());
        record(event.bytes());
        out.flush();
    }

    private void record(byte[] payload) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(payload.length);
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        head.put(len.array()).putInt(maskedCrc(len.array()));
        out.write(head.array());
        out.write(payload);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(payload)).array());
    }

    static int maskedCrc(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Minimal protobuf encoder for the fields used here. */
    static final class Proto {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        void varint(int field, long v) {
            tag(field, 0);
            raw(v);
        }

        void fixed64(int field, long v) {
            tag(field, 1);
            for (int i = 0; i < 8; i++) b.write((int) (v >>> (8 * i)));
        }

        void fixed32(int field, int v) {
            tag(field, 5);
            for (int i = 0; i < 4; i++) b.write(v >>> (8 * i));
        }

        void string(int field, String s) {
            message(field, s.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, byte[] bytes) {
            tag(field, 2);
            raw(bytes.length);
            b.writeBytes(bytes);
        }

        private void tag(int field, int wire) {
            raw(((long) field << 3) | wire);
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
