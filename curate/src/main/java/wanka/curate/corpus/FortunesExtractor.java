package wanka.curate.corpus;

import wanka.curate.pipeline.Document;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fortune files inside a {@code .deb}: one document per {@code %}-separated entry, ANSI colours stripped
 * (see {@link Fortunes}). Metadata {@code file} names the fortune file. An entry that starts with a poem header
 * ({@code 《title》} or {@code 题目:《title》}, then {@code 作者：author}; text after {@code 》} stays in the title) also gets {@code title} and {@code author}.
 *
 * @param directory     folder of the fortune files inside the package, e.g. {@code usr/share/games/fortunes}
 * @param files         the file names to read; empty = every regular file in the folder except {@code *.dat} indexes
 * @param domainByFile  domain tags for some files (others keep the corpus domain)
 */
public record FortunesExtractor(String directory, Set<String> files, Map<String, String> domainByFile) implements CorpusExtractor {
    private static final Pattern TITLE = Pattern.compile("(?:题目[:：])?《([^》]+)》(.*)");
    private static final Pattern AUTHOR = Pattern.compile("作者[:：]\\s*(.+)");

    public FortunesExtractor {
        Objects.requireNonNull(directory, "directory");
        files = Set.copyOf(files);
        domainByFile = Map.copyOf(domainByFile);
    }

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        int[] seen = {0};
        DebArchive.forEachFile(artifact, (path, content) -> {
            if (!path.startsWith(prefix)) return;
            String file = path.substring(prefix.length());
            if (file.contains("/") || file.endsWith(".dat") || !(files.isEmpty() || files.contains(file))) return;
            seen[0]++;
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
            } catch (CharacterCodingException e) {
                throw new IOException(corpus.name() + ": " + path + " in " + artifact + " is not UTF-8", e);
            }
            List<String> entries = Fortunes.entries(text);
            for (int i = 0; i < entries.size(); i++) {
                String entry = entries.get(i);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("file", file);
                if (domainByFile.containsKey(file)) meta.put(Document.DOMAIN, domainByFile.get(file));
                poemHeader(entry, meta);
                sink.accept(corpus.document(file + "/" + (i + 1), entry, meta));
            }
        });
        int expected = files.isEmpty() ? 1 : files.size();
        if (seen[0] < expected)
            throw new IOException(corpus.name() + ": " + artifact + " has " + seen[0] + " of the expected fortune files " + (files.isEmpty() ? "" : files + " ")
                    + "under " + directory + " (wrong package version in the catalogue?)");
    }

    private static void poemHeader(String entry, Map<String, String> meta) {
        String[] lines = entry.split("\n", 3);
        if (lines.length < 2) return;
        Matcher t = TITLE.matcher(lines[0].strip()), a = AUTHOR.matcher(lines[1].strip());
        if (t.matches() && a.matches()) {
            meta.put("title", (t.group(1) + t.group(2)).strip());
            meta.put("author", a.group(1).strip());
        }
    }
}
