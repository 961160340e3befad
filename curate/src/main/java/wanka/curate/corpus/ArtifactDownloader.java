package wanka.curate.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** Gets the artifact of a corpus onto this machine (the fetcher then checks its SHA-256). */
@FunctionalInterface
public interface ArtifactDownloader {

    /**
     * Downloads {@code corpus}'s artifact and returns its path: inside {@code workDir} (a fresh, empty folder that
     * is deleted afterwards) or in a client's own cache, such as the local Maven repository.
     *
     * @throws MissingClientException when the registry's client is not installed
     */
    Path download(CorpusEntry corpus, Path workDir) throws IOException, InterruptedException;
}
