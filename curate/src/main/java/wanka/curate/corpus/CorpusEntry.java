package wanka.curate.corpus;

import wanka.curate.pipeline.Document;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One corpus of the catalogue: what it is, under which licence, where its artifact comes from, the artifact's
 * pinned SHA-256, the default domain tag and language of its documents, and how to extract them.
 *
 * @param name          short name used on the command line and as the cache folder, e.g. {@code fortunes-zh}
 * @param description   one line saying what the documents are
 * @param licence       the licence of the package and, where different, of the texts
 * @param source        registry coordinates
 * @param sha256        lower-case hex SHA-256 of the downloaded artifact (jar, .tgz or .deb)
 * @param downloadBytes size of that artifact
 * @param domain        domain tag of the documents (an extractor may tag some documents differently)
 * @param language      ISO 639-1 code of the documents, or "" when mixed (left to a language-ID step)
 * @param extractor     turns the artifact into documents
 */
public record CorpusEntry(String name, String description, String licence, CorpusSource source, String sha256,
                          long downloadBytes, String domain, String language, CorpusExtractor extractor) {
    public CorpusEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(licence, "licence");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(extractor, "extractor");
        if (!name.matches("[a-z0-9][a-z0-9-]*")) throw new IllegalArgumentException("corpus name '" + name + "': use lower-case letters, digits and '-'");
        if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}"))
            throw new IllegalArgumentException("corpus '" + name + "': sha256 must be 64 hex digits, got " + sha256);
        sha256 = sha256.toLowerCase(Locale.ROOT);
    }

    /**
     * A document of this corpus: id {@code <name>/<localId>}, metadata {@code source} (the corpus name),
     * {@code domain} and {@code language} (omitted when empty) from this entry, then {@code extra}
     * (which may override domain or language; empty values are dropped).
     */
    public Document document(String localId, String text, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Document.SOURCE, name);
        m.put(Document.DOMAIN, domain);
        m.put(Document.LANGUAGE, language);
        m.putAll(extra);
        m.values().removeIf(v -> v == null || v.isEmpty());
        return new Document(name + "/" + localId, text, m);
    }
}
