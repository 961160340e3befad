package wanka.curate.corpus;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * A dictd dictionary inside a {@code .deb}: one document per entry. The entries are cut exactly as the dictd
 * index ({@code headword TAB offset TAB length}, numbers in dictd's base-64) says; several headwords may share
 * one entry. Ids are the entry's number in dictionary order ({@code 1, 2, …}), metadata {@code headwords} lists
 * the headwords of the entry in index order, joined by {@code "; "}. The dictd header entries
 * ({@code 00-database-*}) are skipped. The {@code .dict} may be gzip or dictzip compressed ({@code .dz}) or plain;
 * bytes that are not UTF-8 (a handful of stray Windows-1252 bytes in GCIDE) become U+FFFD.
 *
 * @param dictPath  the {@code .dict} or {@code .dict.dz} file inside the package
 * @param indexPath the {@code .index} file inside the package
 */
public record DictdExtractor(String dictPath, String indexPath) implements CorpusExtractor {
    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public DictdExtractor {
        Objects.requireNonNull(dictPath, "dictPath");
        Objects.requireNonNull(indexPath, "indexPath");
    }

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        byte[][] found = new byte[2][];
        DebArchive.forEachFile(artifact, (path, content) -> {
            if (path.equals(dictPath)) found[0] = content;
            else if (path.equals(indexPath)) found[1] = content;
        });
        if (found[0] == null || found[1] == null)
            throw new IOException(corpus.name() + ": " + artifact + " lacks " + (found[0] == null ? dictPath : indexPath)
                    + " (wrong package version in the catalogue?)");
        byte[] dict = found[0];
        if (dict.length > 1 && (dict[0] & 0xff) == 0x1f && (dict[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(dict))) {
                dict = in.readAllBytes();
            }
        }
        // (offset, length) -> headwords, in dictionary order
        Map<Long, Map.Entry<Integer, List<String>>> entries = new TreeMap<>();
        String index = new String(found[1], StandardCharsets.UTF_8);
        int lineNo = 0;
        for (String line : index.split("\n")) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            if (f.length < 3) throw new IOException(corpus.name() + ": " + indexPath + " line " + lineNo + " is not 'headword TAB offset TAB length'");
            long offset = base64(f[1], corpus, lineNo);
            long length = base64(f[2], corpus, lineNo);
            if (offset + length > dict.length)
                throw new IOException(corpus.name() + ": " + indexPath + " line " + lineNo + " points past the end of " + dictPath);
            entries.computeIfAbsent(offset, o -> Map.entry((int) length, new ArrayList<>())).getValue().add(f[0]);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        int n = 0;
        for (var e : entries.entrySet()) {
            List<String> headwords = e.getValue().getValue();
            if (headwords.stream().allMatch(h -> h.startsWith("00-database"))) continue;
            String text = decoder.decode(ByteBuffer.wrap(dict, (int) (long) e.getKey(), e.getValue().getKey())).toString().strip();
            if (text.isEmpty()) continue;
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("headwords", String.join("; ", headwords));
            sink.accept(corpus.document(Integer.toString(++n), text, meta));
        }
        if (n == 0) throw new IOException(corpus.name() + ": " + indexPath + " in " + artifact + " lists no entries");
    }

    private long base64(String s, CorpusEntry corpus, int lineNo) throws IOException {
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = B64.indexOf(s.charAt(i));
            if (d < 0) throw new IOException(corpus.name() + ": " + indexPath + " line " + lineNo + ": '" + s + "' is not a dictd base-64 number");
            v = v * 64 + d;
        }
        return v;
    }
}
