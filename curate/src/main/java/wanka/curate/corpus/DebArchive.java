package wanka.curate.corpus;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the files of a Debian package ({@code .deb}) in Java, without {@code dpkg-deb}: a {@code .deb} is an
 * {@code ar} archive whose {@code data.tar.xz} (or {@code .gz}, or plain {@code data.tar}) holds the installed files.
 */
public final class DebArchive {
    private DebArchive() {
    }

    /** Receives one regular file of the package: its path without the leading {@code ./} and its bytes. */
    @FunctionalInterface
    public interface FileVisitor {
        void visit(String path, byte[] content) throws IOException;
    }

    /** Visits the regular files (not directories or links) of {@code deb}'s data tarball, in archive order. */
    public static void forEachFile(Path deb, FileVisitor visitor) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            ArArchiveEntry e;
            while ((e = ar.getNextEntry()) != null) {
                String name = e.getName();
                if (!name.startsWith("data.tar")) continue;
                InputStream data = switch (name) {
                    case "data.tar.xz" -> XZCompressorInputStream.builder().setInputStream(ar).setDecompressConcatenated(true).get();
                    case "data.tar.gz" -> new GZIPInputStream(ar);
                    case "data.tar" -> ar;
                    default -> throw new IOException(deb + ": " + name + " is compressed in a way this reader does not support (only .xz, .gz or none);"
                            + " unpack it with `dpkg-deb -x " + deb.getFileName() + " DIR` instead");
                };
                TarArchiveInputStream tar = new TarArchiveInputStream(data);
                TarArchiveEntry t;
                while ((t = tar.getNextEntry()) != null) {
                    if (t.isFile()) visitor.visit(t.getName().replaceFirst("^\\./", ""), tar.readAllBytes());
                }
                return;
            }
        }
        throw new IOException(deb + " is not a Debian package: it has no data.tar.* member");
    }
}
