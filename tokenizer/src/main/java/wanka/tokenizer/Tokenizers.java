package wanka.tokenizer;

import wanka.tokenizer.hf.TokenizerJson;
import wanka.tokenizer.sp.SentencePieceBpe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a tokenizer from a file or a model directory. */
public final class Tokenizers {
    private Tokenizers() { }

    /**
     * Loads {@code tokenizer.json} (HF tokenizers) or {@code tokenizer.model} (SentencePiece) from a directory,
     * preferring the JSON when both exist, or a single file of either kind.
     */
    public static Tokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json"), model = path.resolve("tokenizer.model");
            if (Files.isRegularFile(json)) return TokenizerJson.read(json);
            if (Files.isRegularFile(model)) return SentencePieceBpe.load(model);
            throw new IOException("no tokenizer.json or tokenizer.model in directory " + path);
        }
        if (!Files.isRegularFile(path)) throw new IOException("tokenizer path does not exist: " + path);
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) return TokenizerJson.read(path);
        if (name.endsWith(".model")) return SentencePieceBpe.load(path);
        throw new IOException("unknown tokenizer file type (expected .json or .model): " + path);
    }
}
