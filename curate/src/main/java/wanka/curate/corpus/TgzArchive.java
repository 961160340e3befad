package wanka.curate.corpus;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the regular files of a gzipped tarball, such as the {@code .tgz} that {@code npm pack} writes. */
public final class TgzArchive {
    private TgzArchive() {
    }

    /** Decides from a file's path whether its bytes are wanted. */
    @FunctionalInterface
    public interface Filter {
        boolean wants(String path);
    }

    /** Visits the regular files of {@code tgz} that {@code filter} wants, in archive order. */
    public static void forEachFile(Path tgz, Filter filter, DebArchive.FileVisitor visitor) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(tgz))))) {
            TarArchiveEntry t;
            while ((t = tar.getNextEntry()) != null) {
                if (t.isFile() && filter.wants(t.getName())) visitor.visit(t.getName(), tar.readAllBytes());
            }
        }
    }
}
