package wanka.io;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way wanka replaces a file: the content goes to a hidden temporary file in the target's folder
 * ({@code .<name>.<pid>.<nanos>.tmp}), is forced to disk and is then renamed over the target, so a reader sees
 * either the old file or the complete new one, never a partial file — not after an exception, not after a crash.
 * On failure the temporary file is deleted and the target is left as it was; a crash can leave a stale hidden
 * {@code .tmp} file, never a truncated target.
 *
 * <p>Three forms: {@link #write(Path, byte[])} for content in memory, {@link #write(Path, Body)} for a body that
 * writes to a channel, and {@link #open(Path)} for a streaming writer that produces the file piece by piece and
 * decides at the end whether to keep it.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a file to an open channel. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param channel the temporary file, positioned at 0
         * @throws IOException on write failure; the temporary file is then deleted and the target left as it was
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code target} atomically from {@code body}; creates missing parent folders.
     *
     * @throws IOException if writing or the final rename fails (the target is then unchanged)
     */
    public static void write(Path target, Body body) throws IOException {
        try (Output out = open(target)) {
            body.writeTo(out.channel());
            out.commit();
        }
    }

    /** Writes {@code bytes} to {@code target} atomically; creates missing parent folders. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    /** Writes all remaining bytes of {@code buffer} to {@code channel}. */
    public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Opens a new temporary file for {@code target} (creating missing parent folders). Use it in
     * try-with-resources and call {@link Output#commit()} once the content is complete; leaving the block
     * without committing (an exception, a writer that gives up) deletes the temporary file.
     */
    public static Output open(Path target) throws IOException {
        return new Output(target);
    }

    /**
     * A file being written: content goes to a hidden temporary file next to the target until {@link #commit()}
     * moves it into place; {@link #close()} without a commit deletes it. Not thread-safe.
     */
    public static final class Output implements AutoCloseable {
        private static final int BUFFER = 1 << 16;
        private final Path target, temp;
        private final FileChannel channel;
        private BufferedOutputStream buffered;
        private OutputStream stream;
        private Writer writer;
        private boolean committed;

        private Output(Path target) throws IOException {
            this.target = target.toAbsolutePath();
            Path dir = this.target.getParent();
            Files.createDirectories(dir);
            this.temp = dir.resolve("." + this.target.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + System.nanoTime() + ".tmp");
            this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        /** The file this output replaces on {@link #commit()}. */
        public Path target() {
            return target;
        }

        /**
         * The temporary file's channel, for writers that patch bytes in place (a header filled in at the end):
         * flush {@link #stream()} before a positioned write so the two agree on the content.
         */
        public FileChannel channel() {
            return channel;
        }

        /**
         * A buffered stream into the temporary file (created on first use, the same one each time). Closing it only
         * flushes: the file is finished by {@link #commit()} or dropped by {@link #close()}. A wrapper with a buffer
         * of its own must be flushed before the commit.
         */
        public OutputStream stream() {
            if (stream == null) {
                buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
                stream = new FilterOutputStream(buffered) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
            }
            return stream;
        }

        /** A UTF-8 writer on {@link #stream()} (created on first use); {@link #commit()} flushes it. */
        public Writer writer() {
            if (writer == null) writer = new BufferedWriter(new OutputStreamWriter(stream(), StandardCharsets.UTF_8), BUFFER);
            return writer;
        }

        /**
         * Flushes what was written, forces it to disk and renames the temporary file over the target.
         *
         * @throws IOException if that fails; the target is then unchanged and {@link #close()} removes the temporary file
         */
        public void commit() throws IOException {
            if (committed) throw new IllegalStateException(target + " is already committed");
            if (writer != null) writer.flush();
            if (buffered != null) buffered.flush();
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        /** After a commit: nothing. Otherwise: closes and deletes the temporary file, leaving the target as it was. */
        @Override
        public void close() throws IOException {
            if (committed) return;
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
