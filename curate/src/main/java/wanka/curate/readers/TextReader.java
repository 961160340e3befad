package wanka.curate.readers;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.DocumentReader;
import wanka.curate.pipeline.Quarantine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Plain UTF-8 text (optionally .gz): one document per non-blank line, or, with {@code paragraphs}, one per block
 * of lines separated by blank lines. Lines with invalid UTF-8 are quarantined (their document is not formed). A damaged
 * .gz is read up to the damage; the incomplete line or paragraph there goes to the quarantine.
 */
public record TextReader(boolean paragraphs, long maxDocumentBytes) implements DocumentReader {

    public TextReader(boolean paragraphs) {
        this(paragraphs, Lines.DEFAULT_MAX_BYTES);
    }

    @Override
    public void read(Path file, Consumer<Document> sink, Quarantine quarantine) throws IOException {
        String name = file.getFileName().toString();
        StringBuilder doc = new StringBuilder();
        long[] start = {0}, bytes = {0}, documents = {0};
        boolean[] broken = {false}; // the current paragraph had an unreadable line or grew too long: it is not emitted
        Consumer<Document> counted = d -> {
            sink.accept(d);
            documents[0]++;
        };
        var cut = Lines.forEach(file, maxDocumentBytes, line -> {
            if (line.error() != null) {
                quarantine.add(name + ":" + line.number(), "read", line.error(), line.text());
                broken[0] = true;
                return;
            }
            if (!paragraphs) {
                if (!line.text().isBlank()) counted.accept(new Document(name + ":" + line.number(), line.text(), Map.of(Document.SOURCE, name)));
                return;
            }
            if (line.text().isBlank()) {
                if (!doc.isEmpty() && !broken[0]) counted.accept(new Document(name + ":" + start[0], doc.toString(), Map.of(Document.SOURCE, name)));
                doc.setLength(0);
                bytes[0] = 0;
                start[0] = 0;
                broken[0] = false;
                return;
            }
            if (start[0] == 0) start[0] = line.number();
            if (broken[0]) return;
            bytes[0] += line.text().getBytes(StandardCharsets.UTF_8).length + (doc.isEmpty() ? 0 : 1);
            if (bytes[0] > maxDocumentBytes) {
                quarantine.add(name + ":" + start[0], "read", "paragraph from line " + start[0] + " is over the limit of "
                        + maxDocumentBytes + " bytes (input.max_document_bytes)", doc.substring(0, Math.min(doc.length(), 1024)));
                broken[0] = true;
                doc.setLength(0);
                return;
            }
            if (!doc.isEmpty()) doc.append('\n');
            doc.append(line.text());
        });
        if (cut.isPresent()) { // the paragraph in progress may go on past the damage: it is kept in the quarantine, not emitted
            String partial = doc.isEmpty() ? cut.get().partial() : cut.get().partial().isEmpty() ? doc.toString() : doc + "\n" + cut.get().partial();
            quarantine.damaged(new Quarantine.Damage(file.toString(), cut.get().lines() + 1, documents[0], cut.get().reason()), partial);
        } else if (paragraphs && !doc.isEmpty() && !broken[0]) {
            counted.accept(new Document(name + ":" + start[0], doc.toString(), Map.of(Document.SOURCE, name)));
        }
    }
}
