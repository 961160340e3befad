package wanka.dist;

/**
 * A communication failed: a backend error (with the MPI library's own text), mismatched calls across ranks,
 * a closed world. The message names the group, the operation and the rank that saw it.
 */
public class DistException extends RuntimeException {
    public DistException(String message) {
        super(message);
    }

    public DistException(String message, Throwable cause) {
        super(message, cause);
    }
}
