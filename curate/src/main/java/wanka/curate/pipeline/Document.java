package wanka.curate.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One document flowing through a pipeline: an id unique within its corpus, the text, and metadata
 * (well-known keys: {@link #SOURCE}, {@link #DOMAIN}, {@link #LANGUAGE}; steps may add their own, e.g. scores).
 */
public record Document(String id, String text, Map<String, String> metadata) {
    public static final String SOURCE = "source";
    public static final String DOMAIN = "domain";
    public static final String LANGUAGE = "language";

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata)); // insertion order: outputs are reproducible
    }

    public Document(String id, String text) {
        this(id, text, Map.of());
    }

    public String source() {
        return metadata.getOrDefault(SOURCE, "");
    }

    /** The domain tag used for per-domain reports and mixing ("" when untagged). */
    public String domain() {
        return metadata.getOrDefault(DOMAIN, "");
    }

    public String language() {
        return metadata.getOrDefault(LANGUAGE, "");
    }

    /** A copy with other text. */
    public Document withText(String newText) {
        return new Document(id, newText, metadata);
    }

    /** A copy with one metadata entry set. */
    public Document with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return new Document(id, text, m);
    }
}
