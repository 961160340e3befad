package wanka.curate.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The npm {@code chinese-poetry} package: JSON files under {@code package/dist/<collection>/}. Every JSON object
 * holding the lines of a text ({@code paragraphs}, {@code para}, or a {@code content} array of strings or a
 * {@code content} string) becomes one document: the lines joined by newlines, metadata {@code title} (its
 * {@code title}, else {@code rhythmic} — the tune of a ci —, else {@code chapter}), {@code author} (its own or
 * the nearest enclosing one), {@code book} (the title of the outermost enclosing work, e.g. 古文觀止) and
 * {@code collection} (the folder, e.g. {@code quantangshi}). Objects without lines are searched for nested records.
 * <p>
 * Skipped: search-engine rankings ({@code rank/}), tonal patterns ({@code strains/}), files flagged as erroneous
 * ({@code error/}), 御定全唐诗 ({@code yudingquantangshi/}, which repeats the Tang poems of {@code quantangshi/}),
 * poet biographies ({@code author*.json}) and {@code intro.json}.
 */
public record ChinesePoetryExtractor() implements CorpusExtractor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FILE = Pattern.compile("package/dist/(([^/]+)/(?:.+/)?([^/]+\\.json))");
    private static final Pattern SKIP = Pattern.compile("(rank|strains|yudingquantangshi)/.*|.*/error/.*|(.*/)?(author[^/]*|intro)\\.json");
    private static final List<String> LINES = List.of("paragraphs", "para", "content");
    private static final List<String> TITLES = List.of("title", "rhythmic", "chapter");

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        int[] files = {0};
        TgzArchive.forEachFile(artifact, p -> {
            Matcher m = FILE.matcher(p);
            return m.matches() && !SKIP.matcher(m.group(1)).matches();
        }, (path, content) -> {
            Matcher m = FILE.matcher(path);
            if (!m.matches()) return;
            files[0]++;
            JsonNode root;
            try {
                root = JSON.readTree(content);
            } catch (IOException e) {
                throw new IOException(corpus.name() + ": " + path + " in " + artifact + " is not valid JSON: " + e.getMessage(), e);
            }
            List<Record> records = new ArrayList<>();
            collect(root, "", "", records);
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("collection", m.group(2));
                meta.put("title", r.title());
                meta.put("author", r.author());
                if (!r.book().equals(r.title())) meta.put("book", r.book());
                sink.accept(corpus.document(m.group(1) + "/" + (i + 1), r.text(), meta));
            }
        });
        if (files[0] == 0) throw new IOException(corpus.name() + ": " + artifact + " has no package/dist/**/*.json files (is it chinese-poetry?)");
    }

    /** One text found in the JSON tree. */
    private record Record(String title, String author, String book, String text) {
    }

    private static void collect(JsonNode node, String author, String book, List<Record> out) {
        if (node.isArray()) {
            for (JsonNode n : node) collect(n, author, book, out);
            return;
        }
        if (!node.isObject()) return;
        String own = node.path("author").isTextual() ? node.path("author").asText().strip() : "";
        String a = own.isEmpty() ? author : own;
        String title = "";
        for (String f : TITLES) {
            if (node.path(f).isTextual() && !node.path(f).asText().isBlank()) {
                title = node.path(f).asText().strip();
                break;
            }
        }
        String text = lines(node);
        if (text != null) {
            if (!text.isBlank()) out.add(new Record(title, a, book, text));
            return;
        }
        String b = book.isEmpty() ? title : book;
        for (JsonNode child : node) if (child.isContainerNode()) collect(child, a, b, out);
    }

    /** The record's lines joined by newlines, or null when {@code node} holds no lines (only nested records). */
    private static String lines(JsonNode node) {
        for (String f : LINES) {
            JsonNode v = node.get(f);
            if (v == null) continue;
            if (v.isTextual()) return v.asText().strip();
            if (v.isArray() && !v.isEmpty()) {
                List<String> ls = new ArrayList<>();
                for (JsonNode l : v) {
                    if (!l.isTextual()) {
                        ls = null;
                        break;
                    }
                    if (!l.asText().isBlank()) ls.add(l.asText().strip());
                }
                if (ls != null) return String.join("\n", ls);
            }
        }
        return null;
    }
}
