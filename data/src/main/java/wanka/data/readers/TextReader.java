package wanka.data.readers;

import wanka.data.pipeline.Document;
import wanka.data.pipeline.DocumentReader;
import wanka.data.pipeline.Quarantine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Plain UTF-8 text (optionally .gz): one document per non-blank line, or, with {@code paragraphs}, one per block
 * of lines separated by blank lines. Lines with invalid UTF-8 are quarantined (their document is not formed).
 */
public record TextReader(boolean paragraphs) implements DocumentReader {

    @Override
    public void read(Path file, Consumer<Document> sink, Quarantine quarantine) throws IOException {
        String name = file.getFileName().toString();
        StringBuilder doc = new StringBuilder();
        long[] start = {0};
        boolean[] broken = {false};
        Lines.forEach(file, line -> {
            if (line.error() != null) {
                quarantine.add(name + ":" + line.number(), "read", line.error(), line.text());
                broken[0] = true;
                return;
            }
            if (!paragraphs) {
                if (!line.text().isBlank()) sink.accept(new Document(name + ":" + line.number(), line.text(), Map.of(Document.SOURCE, name)));
                return;
            }
            if (line.text().isBlank()) {
                if (!doc.isEmpty() && !broken[0]) sink.accept(new Document(name + ":" + start[0], doc.toString(), Map.of(Document.SOURCE, name)));
                doc.setLength(0);
                broken[0] = false;
            } else {
                if (doc.isEmpty()) start[0] = line.number();
                else doc.append('\n');
                doc.append(line.text());
            }
        });
        if (paragraphs && !doc.isEmpty() && !broken[0]) sink.accept(new Document(name + ":" + start[0], doc.toString(), Map.of(Document.SOURCE, name)));
    }
}
