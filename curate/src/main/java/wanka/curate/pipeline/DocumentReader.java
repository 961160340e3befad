package wanka.curate.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads the documents of one input file. Problems with single records (invalid UTF-8, a broken JSON line, an
 * unreadable PDF) go to the quarantine with a reason and reading continues; only an unreadable file fails.
 */
public interface DocumentReader {

    /** Feeds every document of {@code file} to {@code sink}. */
    void read(Path file, Consumer<Document> sink, Quarantine quarantine) throws IOException;
}
