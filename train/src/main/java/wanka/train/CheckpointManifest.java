package wanka.train;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * {@code manifest.json} of a checkpoint directory: every other file in it, with its size and CRC-32C. It is written
 * last, before the directory is renamed into place, and loading checks every file against it. Paths are relative
 * with {@code /} separators, so a sharded checkpoint lists the files of every rank ({@code rank-00003/...}) in one
 * manifest, written by rank 0 once every rank's shard is complete: a checkpoint exists only once its manifest does.
 *
 * <p>Format 2 adds what a resume needs beyond the files: the parallel {@link CheckpointLayout} it was written under and
 * the trainer {@link Checkpoints.State} (step, seed, tokens seen, batch shape). The data loader's position is the step
 * (a batch is a function of seed, step and micro-batch index) and the only random state is the seed, so the state
 * holds both. Format 1 (no layout, no state) is still read: it is a single-process checkpoint.
 *
 * @param format the layout version ({@link #FORMAT}; 1 is still read)
 * @param step   the optimizer step the checkpoint holds
 * @param layout the parallel layout that wrote it; null for content that is not a training checkpoint
 * @param state  the trainer state at {@code step}; null likewise
 * @param files  every file of the checkpoint but the manifest itself, sorted by path
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointManifest(int format, long step, CheckpointLayout layout, Checkpoints.State state, List<Entry> files) {
    public static final String FILE = "manifest.json";
    public static final int FORMAT = 2;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One file: its path relative to the checkpoint directory, its size in bytes and its CRC-32C. */
    public record Entry(String path, long bytes, long crc32c) {
    }

    public CheckpointManifest {
        files = List.copyOf(files);
    }

    /** Describes the files now in {@code dir} (all but a manifest), with no layout or trainer state. */
    public static CheckpointManifest of(Path dir, long step) throws IOException {
        return of(dir, step, null, null, Map.of());
    }

    /**
     * Describes the files now in {@code dir} (all but a manifest). A file listed in {@code known} (by relative path)
     * with its current size takes that entry instead of being read again: the checksums ranks computed as they wrote.
     */
    public static CheckpointManifest of(Path dir, long step, CheckpointLayout layout, Checkpoints.State state, Map<String, Entry> known) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                if (rel.equals(FILE)) continue;
                Entry k = known.get(rel);
                long size = Files.size(f);
                entries.add(k != null && k.bytes() == size ? k : new Entry(rel, size, crc32c(f)));
            }
        }
        return new CheckpointManifest(FORMAT, step, layout, state, entries);
    }

    /** The entries by path. */
    public Map<String, Entry> byPath() {
        return files.stream().collect(java.util.stream.Collectors.toMap(Entry::path, Function.identity()));
    }

    /** Writes {@code manifest.json} into {@code dir} (a partial checkpoint directory: its rename is the commit). */
    public void write(Path dir) throws IOException {
        wanka.io.AtomicFiles.write(dir.resolve(FILE), toBytes());
    }

    public byte[] toBytes() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    /** Parses a manifest; {@code source} names it in the error. */
    public static CheckpointManifest parse(byte[] json, String source) throws IOException {
        try {
            return JSON.readValue(json, CheckpointManifest.class);
        } catch (JsonProcessingException e) {
            throw new IOException(source + ": not a readable checkpoint manifest (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** The manifest of {@code dir}; empty for a checkpoint of a version that wrote none. */
    public static Optional<CheckpointManifest> read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return Optional.empty();
        return Optional.of(parse(Files.readAllBytes(f), f.toString()));
    }

    /** Checks every listed file's presence, size and CRC-32C; the exception names the first file that differs. */
    public void verify(Path dir) throws IOException {
        if (format < 1 || format > FORMAT) throw new IOException(dir.resolve(FILE) + ": manifest format " + format + ", this version reads formats 1 to " + FORMAT);
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

    /** The CRC-32C of a file's bytes. */
    public static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }
}
