package wanka.tokenizer.sp;

import java.util.Objects;

/** One vocabulary entry of a SentencePiece model: its text, score (higher merges first in BPE) and type. */
public record Piece(String text, float score, PieceType type) {
    public Piece {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(type, "type");
        if (text.isEmpty()) throw new IllegalArgumentException("empty piece text");
    }

    /** Text of the byte-fallback piece for byte {@code b}, e.g. {@code <0x0A>}. */
    public static String byteText(int b) { return String.format("<0x%02X>", b & 0xFF); }
}
