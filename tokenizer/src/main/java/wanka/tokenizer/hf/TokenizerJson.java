package wanka.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;
import wanka.tokenizer.SpecialTokens;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.bytelevel.ByteLevelBpe;
import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.sp.NormalizerSpec;
import wanka.tokenizer.sp.Piece;
import wanka.tokenizer.sp.PieceType;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.sp.SentencePieceModel;
import wanka.tokenizer.sp.TrainerSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * HF tokenizers {@code tokenizer.json} for the two BPE families:
 * <ul>
 * <li>byte-level: {@code Split(regex, Isolated)} + {@code ByteLevel(use_regex=false)} pre-tokenizer, ByteLevel decoder;</li>
 * <li>SentencePiece-style: {@code Prepend("▁")} + {@code Replace(" ", "▁")} normalizer, {@code byte_fallback} BPE,
 *     decoder Replace/ByteFallback/Fuse/Strip; merges are every split of a piece into two pieces, ordered by score,
 *     as HF's SentencePiece converter does. Exact for identity normalizers.</li>
 * </ul>
 * Merges are read in both the {@code "a b"} and the {@code ["a", "b"]} form and written in the pair form.
 */
public final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPACE = "\u2581";

    private TokenizerJson() { }

    /** Reads a tokenizer.json. */
    public static Tokenizer read(Path file) throws IOException {
        String what = file.toString();
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // Jackson's message does not name the file
            var at = e.getLocation();
            throw new IOException(what + ": not valid JSON" + (at != null ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "")
                    + " (" + e.getOriginalMessage().replace('\n', ' ') + "); is the file truncated?", e);
        }
        if (root == null || root.isMissingNode()) throw new IOException(what + ": empty file, expected a tokenizer.json object");
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) throw new IllegalArgumentException(what + ": model.type must be BPE, is " + model.path("type"));
        Map<String, Integer> vocab = new LinkedHashMap<>();
        model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<ByteLevelBpe.Merge> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray()) merges.add(new ByteLevelBpe.Merge(m.get(0).asText(), m.get(1).asText()));
            else {
                String s = m.asText();
                int sp = s.indexOf(' ', 1);
                if (sp < 0) throw new IllegalArgumentException(what + ": merge \"" + s + "\" is not \"a b\"");
                merges.add(new ByteLevelBpe.Merge(s.substring(0, sp), s.substring(sp + 1)));
            }
        }
        Map<String, Integer> special = new LinkedHashMap<>(), nonSpecial = new LinkedHashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            (t.path("special").asBoolean() ? special : nonSpecial).put(t.path("content").asText(), t.path("id").asInt());
            vocab.putIfAbsent(t.path("content").asText(), t.path("id").asInt());
        }
        if (mentionsType(root.path("pre_tokenizer"), "ByteLevel") || mentionsType(root.path("decoder"), "ByteLevel")) {
            String regex = findSplitRegex(root.path("pre_tokenizer"));
            PreTokenizerPattern p = regex == null ? PreTokenizerPattern.GPT2 : PreTokenizerPattern.of(regex)
                    .orElseThrow(() -> new IllegalArgumentException(what + ": unsupported pre-tokenizer regex " + regex));
            special.putAll(nonSpecial);
            return new ByteLevelBpe(vocab, merges, p, new SpecialTokens(special, OptionalInt.empty(), OptionalInt.empty(),
                    OptionalInt.empty(), OptionalInt.empty(), true));
        }
        return new SentencePieceBpe(sentencePieceModel(what, model, vocab, merges, special, nonSpecial,
                mentionsType(root.path("normalizer"), "Prepend") || mentionsType(root.path("pre_tokenizer"), "Metaspace")));
    }

    private static SentencePieceModel sentencePieceModel(String what, JsonNode model, Map<String, Integer> vocab, List<ByteLevelBpe.Merge> merges,
                                                         Map<String, Integer> special, Map<String, Integer> nonSpecial, boolean dummyPrefix) {
        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        Map<String, Integer> firstRank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) firstRank.putIfAbsent(merges.get(r).left() + merges.get(r).right(), r);
        String[] texts = new String[vocab.size()];
        vocab.forEach((t, id) -> {
            if (id < 0 || id >= texts.length || texts[id] != null) throw new IllegalArgumentException(what + ": vocab ids must be dense and unique at " + t);
            texts[id] = t;
        });
        List<Piece> pieces = new ArrayList<>(texts.length);
        int unkId = -1;
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            PieceType type;
            if (t.equals(unk)) { type = PieceType.UNKNOWN; unkId = id; }
            else if (special.containsKey(t)) type = PieceType.CONTROL;
            else if (nonSpecial.containsKey(t)) type = PieceType.USER_DEFINED;
            else if (t.length() == 6 && t.matches("<0x[0-9A-F]{2}>")) type = PieceType.BYTE;
            else type = PieceType.NORMAL;
            Integer rank = firstRank.get(t);
            float score = type != PieceType.NORMAL ? 0 : rank != null ? -rank : -(merges.size() + id);
            pieces.add(new Piece(t, score, type));
        }
        if (unkId < 0) throw new IllegalArgumentException(what + ": SentencePiece-style tokenizer.json needs model.unk_token in the vocab");
        TrainerSpec spec = new TrainerSpec("hf", TrainerSpec.BPE, pieces.size(), 1f, 16, false, model.path("byte_fallback").asBoolean(),
                false, true, unkId, -1, -1, -1, unk, "<s>", "</s>", "<pad>", TrainerSpec.DEFAULT_UNK_SURFACE, new byte[0]);
        return new SentencePieceModel(pieces, spec, NormalizerSpec.identity(dummyPrefix, false));
    }

    private static boolean mentionsType(JsonNode n, String type) {
        if (n == null || n.isMissingNode() || n.isNull()) return false;
        if (type.equals(n.path("type").asText())) return true;
        for (JsonNode c : n) if (c.isContainerNode() && mentionsType(c, type)) return true;
        return false;
    }

    private static String findSplitRegex(JsonNode n) {
        if (n == null || !n.isContainerNode()) return null;
        if ("Split".equals(n.path("type").asText()) && n.path("pattern").has("Regex")) return n.path("pattern").path("Regex").asText();
        for (JsonNode c : n) {
            String r = findSplitRegex(c);
            if (r != null) return r;
        }
        return null;
    }

    /** Writes (atomically) a tokenizer.json that HF tokenizers loads and that encodes like {@code t}. */
    public static void write(Tokenizer t, Path file) throws IOException {
        ObjectNode root = switch (t) {
            case ByteLevelBpe b -> byteLevel(b);
            case SentencePieceBpe s -> sentencePiece(s);
            default -> throw new IllegalArgumentException("cannot write " + t.getClass().getName() + " as tokenizer.json");
        };
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    private static ObjectNode byteLevel(ByteLevelBpe b) {
        ObjectNode root = header();
        addedTokens(root, b.specials().tokens(), Map.of());
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode list = pre.putArray("pretokenizers");
        ObjectNode split = list.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", b.pattern().regex);
        split.put("behavior", "Isolated").put("invert", false);
        list.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        ObjectNode model = bpeModel(root, null, false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < b.vocabSize(); id++) vocab.put(b.piece(id), id);
        ArrayNode merges = model.putArray("merges");
        for (ByteLevelBpe.Merge m : b.merges()) merges.addArray().add(m.left()).add(m.right());
        return root;
    }

    private static ObjectNode sentencePiece(SentencePieceBpe s) {
        SentencePieceModel m = s.model();
        if (m.normalizer().precompiledCharsmap().length > 0
                || m.normalizer().removeExtraWhitespaces() || m.trainer().treatWhitespaceAsSuffix())
            throw new IllegalArgumentException("tokenizer.json export supports identity normalizers without remove_extra_whitespaces (TeleChat2 style), not \""
                    + m.normalizer().name() + "\"");
        ObjectNode root = header();
        Map<String, Integer> special = new LinkedHashMap<>(), user = new LinkedHashMap<>();
        String unk = null;
        for (int id = 0; id < m.pieces().size(); id++) {
            Piece p = m.pieces().get(id);
            if (p.type() == PieceType.CONTROL || p.type() == PieceType.UNKNOWN) special.put(p.text(), id);
            if (p.type() == PieceType.USER_DEFINED && p.text().codePointCount(0, p.text().length()) > 1) user.put(p.text(), id);
            if (p.type() == PieceType.UNKNOWN) unk = p.text();
        }
        addedTokens(root, special, user);
        ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        if (m.normalizer().addDummyPrefix()) ns.addObject().put("type", "Prepend").put("prepend", SPACE);
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("String", " ");
        rep.put("content", SPACE);
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
        ArrayNode ds = dec.putArray("decoders");
        ObjectNode r = ds.addObject().put("type", "Replace");
        r.putObject("pattern").put("String", SPACE);
        r.put("content", " ");
        ds.addObject().put("type", "ByteFallback");
        ds.addObject().put("type", "Fuse");
        if (m.normalizer().addDummyPrefix()) ds.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = bpeModel(root, unk, m.trainer().byteFallback());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < m.pieces().size(); id++) vocab.put(m.pieces().get(id).text(), id);
        ArrayNode merges = model.putArray("merges");
        List<Integer> order = new ArrayList<>();
        for (int id = 0; id < m.pieces().size(); id++) if (m.pieces().get(id).type() == PieceType.NORMAL) order.add(id);
        order.sort(Comparator.comparingDouble((Integer id) -> -m.pieces().get(id).score()).thenComparingInt(id -> id));
        for (int id : order) {
            String t = m.pieces().get(id).text();
            for (int k = 1; k < t.length(); k++) {
                if (Character.isLowSurrogate(t.charAt(k))) continue;
                String a = t.substring(0, k), b = t.substring(k);
                if (s.id(a).isPresent() && s.id(b).isPresent()) merges.addArray().add(a).add(b);
            }
        }
        return root;
    }

    private static ObjectNode header() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    private static void addedTokens(ObjectNode root, Map<String, Integer> special, Map<String, Integer> nonSpecial) {
        ArrayNode added = root.putArray("added_tokens");
        List<Map.Entry<String, Integer>> all = new ArrayList<>(special.entrySet());
        all.addAll(nonSpecial.entrySet());
        all.sort(Map.Entry.comparingByValue());
        for (var e : all) {
            added.addObject().put("id", e.getValue()).put("content", e.getKey()).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", special.containsKey(e.getKey()));
        }
    }

    private static ObjectNode bpeModel(ObjectNode root, String unk, boolean byteFallback) {
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        if (unk == null) model.putNull("unk_token"); else model.put("unk_token", unk);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", byteFallback || unk != null).put("byte_fallback", byteFallback).put("ignore_merges", false);
        return model;
    }
}
