package wanka.tokenizer;

import java.util.OptionalInt;

/** A text codec between strings and token ids. Implementations are immutable and safe for concurrent use. */
public interface Tokenizer {
    /** Encodes text to ids; special tokens in the text become single ids when {@link SpecialTokens#matchInText()}. */
    int[] encode(String text);

    /** Encodes text with no special-token matching (for untrusted message content). */
    int[] encodeOrdinary(String text);

    /** Decodes ids back to text. */
    String decode(int[] ids);

    /** Number of ids (the largest id plus one). */
    int vocabSize();

    /** The piece (vocabulary string) of an id, in the model's own alphabet (e.g. "▁the", "Ġthe", "&lt;0x0A&gt;"). */
    String piece(int id);

    /** The id of a piece, if it is in the vocabulary. */
    OptionalInt id(String piece);

    /** The special tokens and how they are handled. */
    SpecialTokens specials();
}
