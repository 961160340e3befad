package wanka.curate.corpus;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small hand-made artifacts in the registries' formats: a jar with a gzipped entry, a .tgz, a .deb. */
final class Fixtures {
    private Fixtures() {
    }

    /** A jar (zip) with one gzipped text entry. */
    static Path jarWithGz(Path file, String entry, String text) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(entry));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
                g.write(text.getBytes(StandardCharsets.UTF_8));
            }
            zip.write(gz.toByteArray());
        }
        return file;
    }

    /** A gzipped tarball with the given files (path → UTF-8 content), like {@code npm pack} writes. */
    static Path tgz(Path file, Map<String, String> files) throws IOException {
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(file))) {
            tar(out, files);
        }
        return file;
    }

    /** A Debian package: {@code debian-binary}, {@code control.tar.xz} and a {@code data.tar.xz} with the given files. */
    static Path deb(Path file, Map<String, String> files) throws IOException {
        byte[] control = xzTar(Map.of("./control", "Package: test\nVersion: 1\n"));
        byte[] data = xzTar(files);
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(Files.newOutputStream(file))) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.xz", control);
            member(ar, "data.tar.xz", data);
        }
        return file;
    }

    /** A Debian package like {@link #deb} whose files are given as raw bytes (e.g. gzipped content). */
    static Path debBytes(Path file, Map<String, byte[]> files) throws IOException {
        byte[] control = xzTar(Map.of("./control", "Package: test\nVersion: 1\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream xz = new XZCompressorOutputStream(bytes, 0)) {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(xz);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(Files.newOutputStream(file))) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.xz", control);
            member(ar, "data.tar.xz", bytes.toByteArray());
        }
        return file;
    }

    /** {@code text} as UTF-8, gzipped. */
    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return gz.toByteArray();
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] content) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, content.length));
        ar.write(content);
        ar.closeArchiveEntry();
    }

    private static byte[] xzTar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream xz = new XZCompressorOutputStream(bytes, 0)) {
            tar(xz, files);
        }
        return bytes.toByteArray();
    }

    private static void tar(OutputStream out, Map<String, String> files) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (var f : files.entrySet()) {
            byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(f.getKey());
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
        }
        tar.finish();
    }
}
