package wanka.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;
import wanka.tokenizer.bytelevel.ByteLevelBpe;
import wanka.tokenizer.hf.TokenizerJson;
import wanka.tokenizer.sp.SentencePieceBpe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/** Loads a tokenizer from a file or a model directory. */
public final class Tokenizers {
    /** HF's side file naming the bos/eos/pad/unk tokens. */
    public static final String CONFIG_FILE = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokenizers() { }

    /**
     * Loads {@code tokenizer.json} (HF tokenizers) or {@code tokenizer.model} (SentencePiece) from a directory,
     * preferring the JSON when both exist, or a single file of either kind. In a directory, the bos/eos/pad/unk
     * tokens named by {@code tokenizer_config.json} (HF's convention) override what the tokenizer file says.
     */
    public static Tokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json"), model = path.resolve("tokenizer.model");
            Tokenizer t;
            if (Files.isRegularFile(json)) t = read(json);
            else if (Files.isRegularFile(model)) t = read(model);
            else throw new IOException("no tokenizer.json or tokenizer.model in directory " + path);
            Path config = path.resolve(CONFIG_FILE);
            return Files.isRegularFile(config) ? withConfig(t, config) : t;
        }
        if (!Files.isRegularFile(path)) throw new IOException("tokenizer path does not exist: " + path);
        String name = path.getFileName().toString();
        if (name.endsWith(".json") || name.endsWith(".model")) return read(path);
        throw new IOException("unknown tokenizer file type (expected .json or .model): " + path);
    }

    /** Reads a tokenizer.json or .model file; an error that does not name the file is given its name. */
    private static Tokenizer read(Path file) throws IOException {
        try {
            return file.getFileName().toString().endsWith(".json") ? TokenizerJson.read(file) : SentencePieceBpe.load(file);
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            if (m != null && m.contains(file.toString())) throw e;
            throw new IOException(file + ": " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m), e);
        }
    }

    /** Writes (atomically) {@code tokenizer_config.json} naming this tokenizer's bos/eos/pad/unk tokens (HF convention). */
    public static void writeConfig(Tokenizer t, Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        SpecialTokens s = t.specials();
        put(n, "bos_token", t, s.bos());
        put(n, "eos_token", t, s.eos());
        put(n, "pad_token", t, s.pad());
        put(n, "unk_token", t, s.unk());
        n.put("add_bos_token", false);
        n.put("add_eos_token", false);
        n.put("tokenizer_class", "PreTrainedTokenizerFast");
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    private static void put(ObjectNode n, String key, Tokenizer t, OptionalInt id) {
        if (id.isPresent()) n.put(key, t.piece(id.getAsInt()));
    }

    private static Tokenizer withConfig(Tokenizer t, Path config) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new IOException(config + ": not valid JSON: " + e.getMessage(), e);
        }
        SpecialTokens s = t.specials();
        SpecialTokens updated = new SpecialTokens(s.tokens(), id(t, root, "bos_token", s.bos(), config), id(t, root, "eos_token", s.eos(), config),
                id(t, root, "pad_token", s.pad(), config), id(t, root, "unk_token", s.unk(), config), s.matchInText());
        return switch (t) {
            case SentencePieceBpe sp -> sp.withSpecials(updated);
            case ByteLevelBpe bl -> bl.withSpecials(updated);
            default -> t;
        };
    }

    private static OptionalInt id(Tokenizer t, JsonNode root, String key, OptionalInt fallback, Path config) throws IOException {
        JsonNode v = root.path(key);
        if (v.isObject()) v = v.path("content"); // AddedToken form
        if (!v.isTextual()) return fallback;
        OptionalInt id = t.id(v.asText());
        if (id.isEmpty()) throw new IOException(config + ": field '" + key + "' names token " + v.asText() + ", which is not in the vocabulary");
        return id;
    }
}
