package wanka.curate.corpus;

import java.nio.file.Path;

/** What fetching one corpus came to. */
public sealed interface FetchOutcome {

    /** The corpus. */
    CorpusEntry corpus();

    /** Downloaded, verified and extracted now. */
    record Fetched(CorpusEntry corpus, CorpusManifest manifest, Path documents) implements FetchOutcome {
    }

    /** Already in the cache with a matching manifest: nothing was done. */
    record Cached(CorpusEntry corpus, CorpusManifest manifest, Path documents) implements FetchOutcome {
    }

    /** Could not be fetched; {@code reason} says why and how to fix it. */
    record Failed(CorpusEntry corpus, String reason) implements FetchOutcome {
    }
}
