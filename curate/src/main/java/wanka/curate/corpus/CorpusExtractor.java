package wanka.curate.corpus;

import wanka.curate.pipeline.Document;

import java.io.IOException;
import java.nio.file.Path;

/** Turns a downloaded (and checksum-verified) artifact into the documents of one corpus. */
@FunctionalInterface
public interface CorpusExtractor {

    /**
     * Feeds every document of {@code artifact} to {@code sink}, in a stable order. Document ids start with
     * the corpus name; metadata comes from {@link CorpusEntry#document}.
     */
    void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException;

    /** Receives extracted documents (writing them may fail). */
    @FunctionalInterface
    interface Sink {
        void accept(Document document) throws IOException;
    }
}
