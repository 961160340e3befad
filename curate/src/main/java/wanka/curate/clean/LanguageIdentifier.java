package wanka.curate.clean;

/**
 * Names the language of a text with a confidence score; the {@code language} step keeps or drops documents by it.
 * Implementations are thread-safe: one instance serves every task of a run.
 */
public interface LanguageIdentifier {

    /** A language code (ISO 639-1 where one exists, else the model's own code, e.g. {@code yue}) and its score. */
    record Identification(String language, double score) {
    }

    /** The most likely language of {@code text}, or null when the text gives nothing to judge. */
    Identification identify(String text);

    /** What the score means, for reports and errors (e.g. "fastText lid.176 probability"). */
    String describe();
}
