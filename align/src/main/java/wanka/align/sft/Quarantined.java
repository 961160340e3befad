package wanka.align.sft;

import java.nio.file.Path;

/**
 * A dataset line set aside instead of trained on: where it is and why.
 *
 * @param file   the dataset file
 * @param line   1-based line number
 * @param reason what is wrong, in one line
 */
public record Quarantined(Path file, long line, String reason) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + reason;
    }
}
