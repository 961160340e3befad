package wanka.curate.parse;

/** A file that cannot become a document; the message is the quarantine reason (e.g. {@code encrypted PDF}). */
final class BadDocument extends Exception {
    BadDocument(String reason) {
        super(reason);
    }
}
