package wanka.dist;

import java.util.List;

/**
 * An operation waited longer than the group's timeout. {@link #missing()} lists the ranks (of the group) that
 * had not joined it, when the backend can know them (the in-process one can; MPI in general cannot).
 */
public final class DistTimeoutException extends DistException {
    private final List<Integer> missing;

    public DistTimeoutException(String message, List<Integer> missing) {
        super(message);
        this.missing = List.copyOf(missing);
    }

    /** Ranks of the group that had not joined the operation; empty when unknown. */
    public List<Integer> missing() {
        return missing;
    }
}
