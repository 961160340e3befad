package wanka.curate.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The catalogue's extractor for {@link Europarl}: one document per line with a non-blank body (text = the body
 * stripped, metadata {@code title} and {@code date}, id = the line number); the language is left to a language-ID
 * step, since the lines mix 11 languages.
 */
public record EuroparlExtractor() implements CorpusExtractor {

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        try (Europarl.Reader r = Europarl.open(artifact)) {
            for (Europarl.Line l; (l = r.next()) != null; ) {
                sink.accept(corpus.document(Long.toString(l.number()), l.body().strip(), Map.of("title", l.title().strip(), "date", l.date().strip())));
            }
        }
    }
}
