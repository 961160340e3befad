package wanka.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A packed token shard, memory-mapped. Layout (little-endian; see docs/formats.md):
 * <pre>
 *  0  8 bytes  magic "WKTOKENS"
 *  8  u32      format version (1)
 * 12  u32      bytes per token: 2 (ids &lt; 65536) or 4
 * 16  u64      token count N
 * 24  u32      vocabulary size (every id is below it; {@link #open} checks)
 * 28  u32      CRC-32C of the token bytes
 * 32  u64      number of documents (each document ends with the end-of-document id)
 * 40  u32      end-of-document id
 * 44  20 bytes zero
 * 64  N tokens
 * </pre>
 * Documents are concatenated, each followed by the end-of-document id, so training windows may cross
 * document boundaries the way packed pre-training does.
 */
public final class TokenShard implements AutoCloseable {
    static final byte[] MAGIC = "WKTOKENS".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 64;
    static final int VERSION = 1;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment tokens;
    private final int tokenBytes;
    private final long count;
    private final int vocabSize;
    private final long documents;
    private final int endOfDocument;

    private TokenShard(Path path, Arena arena, MemorySegment tokens, int tokenBytes, long count, int vocabSize, long documents, int eod) {
        this.path = path;
        this.arena = arena;
        this.tokens = tokens;
        this.tokenBytes = tokenBytes;
        this.count = count;
        this.vocabSize = vocabSize;
        this.documents = documents;
        this.endOfDocument = eod;
    }

    /** Maps a shard and checks its header and checksum; errors name the file and the bad field. */
    public static TokenShard open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) throw corrupt(path, "file is " + size + " bytes, shorter than the 64-byte header");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            for (int i = 0; i < MAGIC.length; i++) {
                if (all.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) throw corrupt(path, "magic is not WKTOKENS (not a wanka token shard)");
            }
            int version = all.get(U32, 8);
            if (version != VERSION) throw corrupt(path, "format version " + version + " is not supported (expected " + VERSION + ")");
            int tb = all.get(U32, 12);
            if (tb != 2 && tb != 4) throw corrupt(path, "bytes per token is " + tb + " (expected 2 or 4)");
            long n = all.get(U64, 16);
            int vocab = all.get(U32, 24);
            int crc = all.get(U32, 28);
            long docs = all.get(U64, 32);
            int eod = all.get(U32, 40);
            if (n < 0 || HEADER_BYTES + n * tb != size) {
                throw corrupt(path, "token count " + n + " × " + tb + " bytes does not match the file size " + size + " (truncated or corrupt)");
            }
            MemorySegment toks = all.asSlice(HEADER_BYTES, n * tb);
            CRC32C c = new CRC32C();
            c.update(toks.asByteBuffer());
            if ((int) c.getValue() != crc) throw corrupt(path, "checksum mismatch: the token data is corrupt");
            if (vocab <= 0) throw corrupt(path, "vocabulary size in the header is " + Integer.toUnsignedString(vocab));
            if (Integer.compareUnsigned(eod, vocab) >= 0) {
                throw corrupt(path, "end-of-document id " + Integer.toUnsignedString(eod) + " is not below the header's vocabulary size " + vocab);
            }
            long bad = firstIdOutside(toks, tb, n, vocab);
            if (bad >= 0) {
                long id = tb == 2 ? Short.toUnsignedInt(toks.getAtIndex(U16, bad)) : Integer.toUnsignedLong(toks.getAtIndex(U32, bad));
                throw corrupt(path, "token id " + id + " at position " + bad + " is not below the header's vocabulary size " + vocab);
            }
            return new TokenShard(path, arena, toks, tb, n, vocab, docs, eod);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The position of the first id not below {@code vocab} (read as unsigned), or -1: one pass, like the checksum's. */
    private static long firstIdOutside(MemorySegment toks, int tokenBytes, long n, int vocab) {
        if (tokenBytes == 2) {
            if (vocab >= 65536) return -1;
            for (long i = 0; i < n; i++) if (Short.toUnsignedInt(toks.getAtIndex(U16, i)) >= vocab) return i;
        } else {
            for (long i = 0; i < n; i++) if (Integer.compareUnsigned(toks.getAtIndex(U32, i), vocab) >= 0) return i;
        }
        return -1;
    }

    private static IOException corrupt(Path path, String why) {
        return new IOException(path + ": " + why);
    }

    public Path path() {
        return path;
    }

    /** Number of tokens. */
    public long size() {
        return count;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public long documents() {
        return documents;
    }

    public int endOfDocument() {
        return endOfDocument;
    }

    /** The token at index {@code i}. */
    public int token(long i) {
        return tokenBytes == 2 ? Short.toUnsignedInt(tokens.get(U16, i * 2)) : tokens.get(U32, i * 4);
    }

    /** Copies tokens [start, start+len) into dst[off..]. */
    public void read(long start, int[] dst, int off, int len) {
        if (start < 0 || start + len > count) throw new IndexOutOfBoundsException("tokens [" + start + "," + (start + len) + ") of " + count + " in " + path);
        for (int i = 0; i < len; i++) dst[off + i] = token(start + i);
    }

    @Override
    public void close() {
        arena.close();
    }
}
