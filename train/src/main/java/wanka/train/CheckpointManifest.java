package wanka.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * {@code manifest.json} of a checkpoint directory: every other file in it, with its size and CRC-32C. It is written
 * last, before the directory is renamed into place, and loading checks every file against it. Paths are relative
 * with {@code /} separators, so a sharded checkpoint can list the files of every rank ({@code rank-3/...}) in one
 * manifest; a later layout that needs more fields raises {@link #FORMAT}.
 *
 * @param format the layout version ({@link #FORMAT})
 * @param step   the optimizer step the checkpoint holds
 * @param files  every file of the checkpoint but the manifest itself, sorted by path
 */
public record CheckpointManifest(int format, long step, List<Entry> files) {
    public static final String FILE = "manifest.json";
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One file: its path relative to the checkpoint directory, its size in bytes and its CRC-32C. */
    public record Entry(String path, long bytes, long crc32c) {
    }

    public CheckpointManifest {
        files = List.copyOf(files);
    }

    /** Describes the files now in {@code dir} (all but a manifest). */
    public static CheckpointManifest of(Path dir, long step) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                if (!rel.equals(FILE)) entries.add(new Entry(rel, Files.size(f), crc32c(f)));
            }
        }
        return new CheckpointManifest(FORMAT, step, entries);
    }

    public void write(Path dir) throws IOException {
        JSON.writeValue(dir.resolve(FILE).toFile(), this);
    }

    /** The manifest of {@code dir}; empty for a checkpoint of a version that wrote none. */
    public static Optional<CheckpointManifest> read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(f.toFile(), CheckpointManifest.class));
        } catch (JsonProcessingException e) {
            throw new IOException(f + ": not a readable checkpoint manifest (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** Checks every listed file's presence, size and CRC-32C; the exception names the first file that differs. */
    public void verify(Path dir) throws IOException {
        if (format != FORMAT) throw new IOException(dir.resolve(FILE) + ": manifest format " + format + ", this version reads format " + FORMAT);
        for (Entry e : files) {
            Path f = dir.resolve(e.path());
            if (!Files.isRegularFile(f)) throw new IOException(f + ": missing (listed in " + FILE + ")");
            long size = Files.size(f);
            if (size != e.bytes()) throw new IOException(f + ": " + size + " bytes, " + FILE + " lists " + e.bytes() + " (truncated or overwritten)");
            long crc = crc32c(f);
            if (crc != e.crc32c()) {
                throw new IOException(f + ": CRC-32C " + Long.toHexString(crc) + " differs from " + Long.toHexString(e.crc32c()) + " in " + FILE + " (the file is corrupt)");
            }
        }
    }

    static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }
}
