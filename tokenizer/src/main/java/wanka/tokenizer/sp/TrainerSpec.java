package wanka.tokenizer.sp;

import wanka.tokenizer.proto.ProtoReader;
import wanka.tokenizer.proto.ProtoWriter;

import java.io.ByteArrayOutputStream;

/**
 * The parts of SentencePiece's {@code TrainerSpec} that matter for encoding and for describing a trained model.
 * Unmodelled fields are kept verbatim in {@code otherFields} so that a read/write round trip is lossless.
 *
 * @param modelType 1 unigram, 2 BPE, 3 word, 4 char
 */
public record TrainerSpec(String modelPrefix, int modelType, int vocabSize, float characterCoverage,
                          int maxPieceLength, boolean splitDigits, boolean byteFallback,
                          boolean treatWhitespaceAsSuffix, boolean allowWhitespaceOnlyPieces,
                          int unkId, int bosId, int eosId, int padId, String unkPiece, String bosPiece,
                          String eosPiece, String padPiece, String unkSurface, byte[] otherFields) {
    /** SentencePiece's BPE model type number. */
    public static final int BPE = 2;
    /** Default text that SentencePiece decodes the unknown piece to. */
    public static final String DEFAULT_UNK_SURFACE = " \u2047 ";

    static TrainerSpec read(ProtoReader r) {
        String prefix = "";
        int type = 1, vocab = 8000, maxLen = 16, unk = 0, bos = 1, eos = 2, pad = -1;
        float coverage = 0.9995f;
        boolean digits = false, bytes = false, suffix = false, wsOnly = false;
        String surface = DEFAULT_UNK_SURFACE, unkP = "<unk>", bosP = "<s>", eosP = "</s>", padP = "<pad>";
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        while (r.next()) {
            switch (r.field()) {
                case 2 -> prefix = r.string();
                case 3 -> type = (int) r.varint();
                case 4 -> vocab = (int) r.varint();
                case 10 -> coverage = r.float32();
                case 20 -> maxLen = (int) r.varint();
                case 25 -> digits = r.bool();
                case 35 -> bytes = r.bool();
                case 24 -> suffix = r.bool();
                case 26 -> wsOnly = r.bool();
                case 40 -> unk = (int) r.varint();
                case 41 -> bos = (int) r.varint();
                case 42 -> eos = (int) r.varint();
                case 43 -> pad = (int) r.varint();
                case 44 -> surface = r.string();
                case 45 -> unkP = r.string();
                case 46 -> bosP = r.string();
                case 47 -> eosP = r.string();
                case 48 -> padP = r.string();
                default -> {
                    int start = r.fieldStart();
                    r.skip();
                    other.write(r.buffer(), start, r.position() - start);
                }
            }
        }
        return new TrainerSpec(prefix, type, vocab, coverage, maxLen, digits, bytes, suffix, wsOnly, unk, bos, eos, pad,
                unkP, bosP, eosP, padP, surface, other.toByteArray());
    }

    ProtoWriter write() {
        return new ProtoWriter().string(2, modelPrefix).varint(3, modelType).varint(4, vocabSize)
                .float32(10, characterCoverage).varint(20, maxPieceLength).bool(24, treatWhitespaceAsSuffix)
                .bool(25, splitDigits).bool(26, allowWhitespaceOnlyPieces).bool(35, byteFallback)
                .varint(40, unkId).varint(41, bosId).varint(42, eosId).varint(43, padId).string(44, unkSurface)
                .string(45, unkPiece).string(46, bosPiece).string(47, eosPiece).string(48, padPiece)
                .rawFields(otherFields);
    }
}
