package wanka.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Special tokens of a tokenizer: text to id, the distinguished roles, and whether occurrences in raw text are
 * matched (longest match first) and encoded as single ids. Segments of text between special tokens are encoded
 * independently, as HF tokenizers does with added tokens and as TeleChat2's training code does per message.
 *
 * @param tokens      special token text to id, in declaration order
 * @param bos         begin-of-sequence id, if any
 * @param eos         end-of-sequence id, if any
 * @param pad         padding id, if any
 * @param unk         unknown id, if any
 * @param matchInText whether {@link Tokenizer#encode} recognises these tokens in raw text
 */
public record SpecialTokens(Map<String, Integer> tokens, OptionalInt bos, OptionalInt eos, OptionalInt pad,
                            OptionalInt unk, boolean matchInText) {
    public SpecialTokens {
        tokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
        for (var e : tokens.entrySet()) {
            if (e.getKey().isEmpty()) throw new IllegalArgumentException("empty special token text for id " + e.getValue());
        }
    }

    /** No special tokens. */
    public static SpecialTokens none() {
        return new SpecialTokens(Map.of(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), false);
    }

    /** The same tokens with matching in raw text switched on or off. */
    public SpecialTokens withMatchInText(boolean match) {
        return new SpecialTokens(tokens, bos, eos, pad, unk, match);
    }

    /** Id of a special token, failing with a clear message when it is absent. */
    public int require(String text) {
        Integer id = tokens.get(text);
        if (id == null) throw new IllegalArgumentException("special token " + text + " is not defined; have " + tokens.keySet());
        return id;
    }

    /** A matcher that splits raw text at these tokens; build once and reuse. */
    public SpecialTokenMatcher matcher() { return new SpecialTokenMatcher(this); }
}
