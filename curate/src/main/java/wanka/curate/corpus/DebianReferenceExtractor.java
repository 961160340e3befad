package wanka.curate.corpus;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The plain-text Debian Reference ({@code debian-reference.LANG.txt.gz}, as DocBook's text output writes it)
 * inside a {@code .deb}: one document per top-level part — the preface ({@code 序言}), each chapter
 * ({@code 第 N 章 …}) and each appendix ({@code 附录 A. …}). A part starts at such a heading line at column 0
 * that has a blank line after it (the table of contents lists the same titles without one, and the chapter
 * headings use no-break spaces); the title page and table of contents before the first part are dropped.
 * Ids are the part's number ({@code 0} for the preface, {@code 1…}, then the appendix letters); metadata
 * {@code title} is the heading with no-break spaces made plain.
 *
 * @param path the {@code .txt.gz} (or plain {@code .txt}) inside the package
 */
public record DebianReferenceExtractor(String path) implements CorpusExtractor {
    private static final Pattern HEADING = Pattern.compile("(序言)|第[\u00a0 ](\\d+)[\u00a0 ]章[\u00a0 ].+|附录[\u00a0 ]([A-Z])\\.[\u00a0 ].+");

    public DebianReferenceExtractor {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        byte[][] found = new byte[1][];
        DebArchive.forEachFile(artifact, (p, content) -> {
            if (p.equals(path)) found[0] = content;
        });
        if (found[0] == null) throw new IOException(corpus.name() + ": " + artifact + " lacks " + path + " (wrong package version in the catalogue?)");
        byte[] bytes = found[0];
        if (path.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(corpus.name() + ": " + path + " in " + artifact + " is not UTF-8", e);
        }
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        List<Integer> starts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            var m = HEADING.matcher(lines[i].stripTrailing());
            if (!m.matches() || (i + 1 < lines.length && !lines[i + 1].isBlank())) continue;
            starts.add(i);
            ids.add(m.group(1) != null ? "0" : m.group(2) != null ? m.group(2) : m.group(3));
        }
        if (starts.isEmpty()) throw new IOException(corpus.name() + ": " + path + " in " + artifact + " has no chapter headings");
        for (int k = 0; k < starts.size(); k++) {
            int from = starts.get(k), to = k + 1 < starts.size() ? starts.get(k + 1) : lines.length;
            String body = String.join("\n", Arrays.asList(lines).subList(from, to)).strip();
            String title = lines[from].strip().replace('\u00a0', ' ');
            sink.accept(corpus.document(ids.get(k), body, Map.of("title", title)));
        }
    }
}
