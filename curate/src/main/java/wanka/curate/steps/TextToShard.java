package wanka.curate.steps;

import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;

import wanka.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Tokenizes a plain-text file into a {@link TokenShard}: one document per non-blank line, or per block
 * separated by blank lines when {@code paragraphs} is set. Invalid UTF-8 fails with the line number.
 */
public final class TextToShard {
    private TextToShard() {
    }

    /** Returns the number of documents written. */
    public static long convert(Path text, Tokenizer tokenizer, int endOfDocument, Path shard, boolean paragraphs, LongConsumer charsRead)
            throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        long docs = 0, lineNo = 0, bytes = 0;
        TokenShardWriter w = new TokenShardWriter(shard, tokenizer.vocabSize(), endOfDocument);
        try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(text), decoder), 1 << 16)) {
            StringBuilder doc = new StringBuilder();
            String line;
            while (true) {
                try {
                    line = r.readLine();
                } catch (CharacterCodingException e) {
                    throw new IOException(text + ": invalid UTF-8 after line " + lineNo, e);
                }
                lineNo++;
                if (line == null || (paragraphs ? line.isBlank() : true)) {
                    if (!paragraphs && line != null) doc.append(line);
                    String d = doc.toString().strip();
                    if (!d.isEmpty()) {
                        w.addDocument(tokenizer.encode(d));
                        docs++;
                    }
                    doc.setLength(0);
                    if (line == null) break;
                } else {
                    if (!doc.isEmpty()) doc.append('\n');
                    doc.append(line);
                }
                if (line != null) {
                    bytes += line.length() + 1;
                    if ((lineNo & 1023) == 0) charsRead.accept(bytes);
                }
            }
            if (docs == 0) throw new IOException(text + ": no text found (the corpus is empty)");
            w.close();
            charsRead.accept(bytes);
            return docs;
        } catch (IOException | RuntimeException e) {
            w.abort();
            throw e;
        }
    }
}
