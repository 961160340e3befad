package wanka.curate.corpus;

import java.io.IOException;

/** The command-line client a corpus needs ({@code mvn}, {@code npm}, {@code apt-get}) is not installed. */
public final class MissingClientException extends IOException {
    private static final long serialVersionUID = 1L;

    public MissingClientException(String message) {
        super(message);
    }
}
