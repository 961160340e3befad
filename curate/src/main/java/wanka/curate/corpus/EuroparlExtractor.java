package wanka.curate.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Europarl sample inside a jar: a gzipped file whose lines are {@code title<TAB>date<TAB>body}. One document
 * per line with a non-blank body (text = the body, metadata {@code title} and {@code date}); the language is left
 * to a language-ID step, since the lines mix 11 languages.
 *
 * @param entry the gzipped file's path inside the jar
 */
public record EuroparlExtractor(String entry) implements CorpusExtractor {

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        try (ZipFile zip = new ZipFile(artifact.toFile())) {
            ZipEntry e = zip.getEntry(entry);
            if (e == null) throw new IOException(corpus.name() + ": " + artifact + " has no entry " + entry + " (wrong artifact version in the catalogue?)");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(zip.getInputStream(e)), StandardCharsets.UTF_8))) {
                String line;
                long number = 0;
                while ((line = r.readLine()) != null) {
                    number++;
                    String[] f = line.split("\t", 3);
                    if (f.length < 3) throw new IOException(corpus.name() + ": line " + number + " of " + entry + " in " + artifact + " is not title<TAB>date<TAB>body");
                    String body = f[2].strip();
                    if (body.isEmpty()) continue;
                    sink.accept(corpus.document(Long.toString(number), body, Map.of("title", f[0].strip(), "date", f[1].strip())));
                }
            }
        }
    }
}
