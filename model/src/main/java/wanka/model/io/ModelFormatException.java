package wanka.model.io;

import java.io.IOException;

/**
 * A model file (config.json, safetensors file, shard index) or a model directory is malformed or does not match
 * what it must contain. The message is one line and names the file and, where there is one, the field or tensor.
 */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the file and the field or tensor at fault */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * @param message one line naming the file and the field or tensor at fault
     * @param cause   the lower-level error (e.g. a JSON parser error)
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
