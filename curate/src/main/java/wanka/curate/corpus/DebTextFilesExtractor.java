package wanka.curate.corpus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Text files inside a {@code .deb}: one document per file under {@code directory} (subfolders included) whose
 * name ends with {@code suffix}, in archive order. The id and metadata {@code path} are the path below the
 * folder; the id drops the suffix. Empty files give no document.
 *
 * @param directory folder inside the package, e.g. {@code usr/share/doc/python3.11/html/_sources}
 * @param suffix    file-name ending to keep, e.g. {@code .rst.txt}
 */
public record DebTextFilesExtractor(String directory, String suffix) implements CorpusExtractor {
    public DebTextFilesExtractor {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(suffix, "suffix");
    }

    @Override
    public void extract(Path artifact, CorpusEntry corpus, Sink sink) throws IOException {
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        int[] seen = {0};
        DebArchive.forEachFile(artifact, (path, content) -> {
            if (!path.startsWith(prefix) || !path.endsWith(suffix)) return;
            String file = path.substring(prefix.length());
            seen[0]++;
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString().strip();
            } catch (CharacterCodingException e) {
                throw new IOException(corpus.name() + ": " + path + " in " + artifact + " is not UTF-8", e);
            }
            if (text.isEmpty()) return;
            sink.accept(corpus.document(file.substring(0, file.length() - suffix.length()), text, Map.of("path", file)));
        });
        if (seen[0] == 0)
            throw new IOException(corpus.name() + ": " + artifact + " has no *" + suffix + " files under " + directory
                    + " (wrong package version in the catalogue?)");
    }
}
