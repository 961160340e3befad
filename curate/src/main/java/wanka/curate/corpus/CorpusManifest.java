package wanka.curate.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code MANIFEST.json} next to a fetched corpus: what was fetched (source coordinates, version, artifact SHA-256)
 * and what came out of it. Written after {@code documents.jsonl}, so its presence means the corpus is complete.
 *
 * @param corpus     corpus name
 * @param source     registry coordinates, see {@link CorpusSource#coordinates()}
 * @param version    package version
 * @param sha256     SHA-256 of the artifact the documents were extracted from
 * @param documents  number of documents in {@code documents.jsonl} (0 for an {@link ArtifactFile} entry)
 * @param characters Unicode code points of document text, summed (the file's size in bytes for an {@link ArtifactFile} entry)
 * @param fetchedAt  ISO-8601 instant of the fetch
 */
public record CorpusManifest(String corpus, String source, String version, String sha256, long documents, long characters, String fetchedAt) {
    /** The manifest's file name in a corpus folder. */
    public static final String FILE = "MANIFEST.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Whether this manifest describes the documents of {@code entry} as the catalogue pins it now. */
    public boolean matches(CorpusEntry entry) {
        return corpus.equals(entry.name()) && source.equals(entry.source().coordinates())
                && version.equals(entry.source().version()) && sha256.equals(entry.sha256());
    }

    /** Reads {@code file}; empty when it does not exist or cannot be parsed (then the corpus is fetched again). */
    public static Optional<CorpusManifest> read(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            CorpusManifest m = JSON.readValue(file.toFile(), CorpusManifest.class);
            return m.corpus() == null || m.source() == null || m.version() == null || m.sha256() == null ? Optional.empty() : Optional.of(m);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes this manifest to {@code file} atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(this));
    }
}
