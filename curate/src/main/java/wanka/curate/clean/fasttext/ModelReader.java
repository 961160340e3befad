package wanka.curate.clean.fasttext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Little-endian reads from a model file held in memory; every error names the file, the field and the offset. */
final class ModelReader {
    private final ByteBuffer buf;
    private final Path file;

    ModelReader(byte[] bytes, Path file) {
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
    }

    IOException corrupt(String message) {
        return new IOException(file + ": not a valid fastText model: " + message + " (at byte " + buf.position() + ")");
    }

    private void need(int n, String what) throws IOException {
        if (n < 0 || buf.remaining() < n) throw corrupt("the file ends inside " + what);
    }

    int int32(String what) throws IOException {
        need(4, what);
        return buf.getInt();
    }

    long int64(String what) throws IOException {
        need(8, what);
        return buf.getLong();
    }

    double float64(String what) throws IOException {
        need(8, what);
        return buf.getDouble();
    }

    byte int8(String what) throws IOException {
        need(1, what);
        return buf.get();
    }

    boolean bool(String what) throws IOException {
        return int8(what) != 0;
    }

    byte[] bytes(int n, String what) throws IOException {
        need(n, what);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    float[] floats(int n, String what) throws IOException {
        if (n < 0 || (long) n * 4 > buf.remaining()) throw corrupt("the file ends inside " + what);
        float[] f = new float[n];
        buf.asFloatBuffer().get(f);
        buf.position(buf.position() + n * 4);
        return f;
    }

    /** A NUL-terminated byte string. */
    byte[] cString(String what) throws IOException {
        int start = buf.position(), end = start;
        while (end < buf.limit() && buf.get(end) != 0) end++;
        if (end == buf.limit()) throw corrupt("the file ends inside " + what);
        byte[] b = new byte[end - start];
        buf.get(b);
        buf.get();
        return b;
    }

    int remaining() {
        return buf.remaining();
    }
}
