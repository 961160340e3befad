package wanka.tokenizer.sp;

/** Type of a SentencePiece vocabulary entry, with its {@code ModelProto.SentencePiece.Type} number. */
public enum PieceType {
    NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    /** Number used in the protobuf encoding. */
    public final int proto;

    PieceType(int proto) { this.proto = proto; }

    /** The type with the given protobuf number. */
    public static PieceType ofProto(int n) {
        for (PieceType t : values()) if (t.proto == n) return t;
        throw new IllegalArgumentException("unknown SentencePiece piece type " + n);
    }
}
