package wanka.data;

import wanka.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes a {@link TokenShard}: documents are appended one by one, the header is filled in on
 * {@link #close()}, and the file appears under its name only then ({@link AtomicFiles}), so a failed run
 * ({@link #abort()}) never leaves a half-written shard and keeps a shard already there.
 */
public final class TokenShardWriter implements AutoCloseable {
    private final Path target;
    private final AtomicFiles.Output file;
    private final OutputStream out;
    private final int tokenBytes;
    private final int vocabSize;
    private final int endOfDocument;
    private final CRC32C crc = new CRC32C();
    private final byte[] buf = new byte[4];
    private long tokens;
    private long documents;
    private boolean closed;

    public TokenShardWriter(Path target, int vocabSize, int endOfDocument) throws IOException {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        if (endOfDocument < 0 || endOfDocument >= vocabSize) throw new IllegalArgumentException("end-of-document id " + endOfDocument + " outside vocabulary of " + vocabSize);
        this.target = target;
        this.vocabSize = vocabSize;
        this.endOfDocument = endOfDocument;
        this.tokenBytes = vocabSize <= 65536 ? 2 : 4;
        this.file = AtomicFiles.open(target);
        this.out = file.stream();
        out.write(new byte[TokenShard.HEADER_BYTES]);
    }

    /** Appends one document's tokens followed by the end-of-document id. */
    public void addDocument(int[] ids) throws IOException {
        for (int id : ids) put(id);
        put(endOfDocument);
        documents++;
    }

    private void put(int id) throws IOException {
        if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + vocabSize + " (writing " + target + ")");
        buf[0] = (byte) id;
        buf[1] = (byte) (id >>> 8);
        buf[2] = (byte) (id >>> 16);
        buf[3] = (byte) (id >>> 24);
        out.write(buf, 0, tokenBytes);
        crc.update(buf, 0, tokenBytes);
        tokens++;
    }

    public long tokens() {
        return tokens;
    }

    /** Writes the header and moves the shard into place. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (file) {
            out.flush();
            ByteBuffer h = ByteBuffer.allocate(TokenShard.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(TokenShard.MAGIC).putInt(TokenShard.VERSION).putInt(tokenBytes).putLong(tokens).putInt(vocabSize)
                    .putInt((int) crc.getValue()).putLong(documents).putInt(endOfDocument);
            h.rewind();
            while (h.hasRemaining()) file.channel().write(h, h.position());
            file.commit();
        }
    }

    /** Abandons the shard: deletes the temporary file; a shard already under the name stays as it was. */
    public void abort() throws IOException {
        closed = true;
        file.close();
    }
}
