package wanka.tokenizer;

import wanka.tokenizer.sp.Piece;
import wanka.tokenizer.sp.PieceType;

import java.util.ArrayList;
import java.util.List;

/** TeleChat2's fixed vocabulary head (ids 0-133 of its tokenizer.model; research/telechat2.md section 2). */
public final class TeleChat2Vocab {
    private TeleChat2Vocab() { }

    /** Unknown piece. */
    public static final String UNK = "<_unk>";
    /** Begin of sequence (id 1). */
    public static final String START = "<_start>";
    /** End of turn / sequence (id 2). */
    public static final String END = "<_end>";
    /** Padding (id 3). */
    public static final String PAD = "<_pad>";
    /** User role marker (id 4). */
    public static final String USER = "<_user>";
    /** Assistant role marker (id 5). */
    public static final String BOT = "<_bot>";
    /** System role marker (id 6). */
    public static final String SYSTEM = "<_system>";
    /** Tool observation marker (id 7). */
    public static final String OBSERVATION = "<_observation>";
    /** Separator (id 8). */
    public static final String SEP = "<_sep>";

    /** The 134 pieces: unk, 17 control, 116 user-defined (digits, underscores, newline, tab, 100 reserved). */
    public static List<Piece> metaPieces() {
        List<Piece> p = new ArrayList<>(134);
        p.add(new Piece(UNK, 0, PieceType.UNKNOWN));
        for (String c : List.of(START, END, PAD, USER, BOT, SYSTEM, OBSERVATION, SEP)) p.add(new Piece(c, 0, PieceType.CONTROL));
        for (int i = 1; i <= 9; i++) p.add(new Piece("<_control" + i + ">", 0, PieceType.CONTROL));
        for (int d = 0; d <= 9; d++) p.add(new Piece(String.valueOf(d), 0, PieceType.USER_DEFINED));
        for (String u : List.of("_", "\n", "\t", "__", "___", "____")) p.add(new Piece(u, 0, PieceType.USER_DEFINED));
        for (int i = 1; i <= 100; i++) p.add(new Piece("<reserve" + i + ">", 0, PieceType.USER_DEFINED));
        return p;
    }

    /** The peer script's head: unk, start, end, pad (control), then user-defined user, bot, system. */
    public static List<Piece> peerMetaPieces() {
        return List.of(new Piece(UNK, 0, PieceType.UNKNOWN), new Piece(START, 0, PieceType.CONTROL),
                new Piece(END, 0, PieceType.CONTROL), new Piece(PAD, 0, PieceType.CONTROL),
                new Piece(USER, 0, PieceType.USER_DEFINED), new Piece(BOT, 0, PieceType.USER_DEFINED),
                new Piece(SYSTEM, 0, PieceType.USER_DEFINED));
    }
}
