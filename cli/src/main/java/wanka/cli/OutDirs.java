package wanka.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Output directories named on the command line. */
final class OutDirs {
    private OutDirs() {
    }

    /** Throws, naming the option, if {@code dir} or a folder above it exists as something other than a directory. */
    static Path require(String option, Path dir) {
        Path abs = dir.toAbsolutePath();
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) return dir;
            if (Files.exists(p)) {
                throw new IllegalArgumentException(option + " " + dir + (p.equals(abs) ? "" : ": " + p) + " is an existing file, not a directory"
                        + " (name a directory to write into)");
            }
        }
        return dir;
    }
}
