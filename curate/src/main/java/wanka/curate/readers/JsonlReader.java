package wanka.curate.readers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.DocumentReader;
import wanka.curate.pipeline.Quarantine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * JSON Lines (optionally .gz): one object per line with a text field (default {@code text}) and an optional id
 * field (default {@code id}; else {@code file:line}); other top-level scalar fields and a {@code metadata} object
 * become metadata. A damaged .gz is read up to the damage; the incomplete line there goes to the quarantine.
 */
public record JsonlReader(String textField, String idField, long maxDocumentBytes) implements DocumentReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JsonlReader() {
        this("text", "id", Lines.DEFAULT_MAX_BYTES);
    }

    @Override
    public void read(Path file, Consumer<Document> sink, Quarantine quarantine) throws IOException {
        String name = file.getFileName().toString();
        long[] documents = {0};
        var cut = Lines.forEach(file, maxDocumentBytes, line -> {
            String id = name + ":" + line.number();
            if (line.error() != null) {
                quarantine.add(id, "read", line.error(), line.text());
                return;
            }
            if (line.text().isBlank()) return;
            JsonNode n;
            try {
                n = JSON.readTree(line.text());
            } catch (IOException e) {
                quarantine.add(id, "read", "not valid JSON on line " + line.number(), line.text());
                return;
            }
            JsonNode t = n.get(textField);
            if (t == null || !t.isTextual()) {
                quarantine.add(id, "read", "no string field '" + textField + "' on line " + line.number(), line.text());
                return;
            }
            if (t.asText().isBlank()) {
                quarantine.add(id, "read", "empty text on line " + line.number(), line.text());
                return;
            }
            Map<String, String> meta = new LinkedHashMap<>();
            n.properties().forEach(e -> {
                if (e.getKey().equals(textField) || e.getKey().equals(idField)) return;
                if (e.getValue().isValueNode()) meta.put(e.getKey(), e.getValue().asText());
            });
            JsonNode m = n.get("metadata");
            if (m != null && m.isObject()) m.properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
            meta.putIfAbsent(Document.SOURCE, name);
            JsonNode idNode = n.get(idField);
            sink.accept(new Document(idNode != null && !idNode.isNull() ? idNode.asText() : id, t.asText(), meta));
            documents[0]++;
        });
        if (cut.isPresent()) quarantine.damaged(new Quarantine.Damage(file.toString(), cut.get().lines() + 1, documents[0], cut.get().reason()), cut.get().partial());
    }
}
