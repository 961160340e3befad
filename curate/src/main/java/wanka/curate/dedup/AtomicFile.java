package wanka.curate.dedup;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A binary file written under a temporary name ({@code <name>.partial}) and renamed into place when complete, so a
 * reader sees the whole file or none; a crash leaves at most a stale {@code .partial} that the next writer replaces.
 */
final class AtomicFile implements AutoCloseable {
    private final Path target, temp;
    private final DataOutputStream out;
    private boolean committed;

    AtomicFile(Path target, int magic) throws IOException {
        this.target = target;
        this.temp = target.resolveSibling(target.getFileName() + ".partial");
        Files.createDirectories(target.getParent());
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16));
        out.writeInt(magic);
    }

    DataOutputStream out() {
        return out;
    }

    /** Closes the file and moves it to its final name. */
    void commit() throws IOException {
        out.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (committed) return;
        out.close();
        Files.deleteIfExists(temp);
    }
}
