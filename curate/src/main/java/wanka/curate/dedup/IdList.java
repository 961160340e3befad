package wanka.curate.dedup;

import wanka.io.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ObjIntConsumer;

/**
 * A file of {@code (index, document id)} entries (int, modified UTF-8) after a 4-byte magic. Used for the ids a
 * signature step saw ({@code ids/task-NNNNN.bin}, every index in order) and for the remove lists of the cluster
 * stage ({@code task-NNNNN.bin}, the indices to drop).
 */
public final class IdList {
    static final int MAGIC = 0x57494453; // "WIDS"

    private IdList() {
    }

    public static Path path(Path dir, int task) {
        return dir.resolve(String.format("task-%05d.bin", task));
    }

    /** Writes entries one by one; the file appears under its name on {@link #commit()}. */
    public static final class Writer implements AutoCloseable {
        private final AtomicFiles.Output file;
        private final DataOutputStream out;

        public Writer(Path target) throws IOException {
            file = AtomicFiles.open(target);
            out = new DataOutputStream(file.stream());
            out.writeInt(MAGIC);
        }

        public void add(int index, String id) throws IOException {
            if (id.length() > 16_000) throw new IOException("document id longer than 16000 chars at index " + index + ": " + id.substring(0, 80) + "...");
            out.writeInt(index);
            out.writeUTF(id);
        }

        /** Moves the file into place. */
        public void commit() throws IOException {
            file.commit();
        }

        /** Without {@link #commit()}: deletes the temporary file. */
        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /** Feeds every entry of {@code file} to {@code sink} as (id, index). */
    public static void read(Path file, ObjIntConsumer<String> sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (readMagic(in) != MAGIC) throw new IOException(file + ": not a wanka id list");
            while (true) {
                int index;
                try {
                    index = in.readInt();
                } catch (EOFException e) {
                    return;
                }
                try {
                    sink.accept(in.readUTF(), index);
                } catch (EOFException e) {
                    throw new IOException(file + ": truncated entry", e);
                }
            }
        }
    }

    private static int readMagic(DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            return 0;
        }
    }
}
