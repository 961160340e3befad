package wanka.tokenizer.train;

import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.TeleChat2Vocab;
import wanka.tokenizer.sp.Piece;

import java.util.List;

/** Options of {@link BpeTrainer}, one record per tokenizer family. */
public sealed interface TrainerOptions {
    /** Target vocabulary size, special and byte pieces included. */
    int vocabSize();

    /** Worker threads for counting. */
    int threads();

    /**
     * SentencePiece-style BPE ('▁' word marker, dummy prefix, identity normalizer).
     *
     * @param metaPieces                the first pieces, in id order: unknown, control and user-defined symbols
     * @param byteFallback              add the 256 {@code <0xNN>} pieces after the meta pieces
     * @param splitDigits               every digit is its own piece
     * @param characterCoverage         share of character occurrences to keep as pieces; rarer ones fall back to bytes
     * @param maxPieceLength            longest piece, in code points
     * @param allowWhitespaceOnlyPieces allow pieces made only of '▁'
     * @param splitByUnicodeScript      pieces do not mix scripts (Han, Hiragana and Katakana count as one)
     */
    record SentencePiece(int vocabSize, List<Piece> metaPieces, boolean byteFallback, boolean splitDigits,
                         double characterCoverage, int maxPieceLength, boolean allowWhitespaceOnlyPieces,
                         boolean splitByUnicodeScript, int threads) implements TrainerOptions {
        public SentencePiece {
            metaPieces = List.copyOf(metaPieces);
            if (characterCoverage <= 0 || characterCoverage > 1) throw new IllegalArgumentException("characterCoverage must be in (0, 1]: " + characterCoverage);
            if (maxPieceLength < 1) throw new IllegalArgumentException("maxPieceLength must be >= 1");
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
            if (metaPieces.stream().noneMatch(p -> p.type() == wanka.tokenizer.sp.PieceType.UNKNOWN))
                throw new IllegalArgumentException("metaPieces need an UNKNOWN piece");
        }

        /** The settings of the shared peer script: unk/start/end/pad, user symbols user/bot/system, byte fallback, split digits. */
        public static SentencePiece peerStyle(int vocabSize, int threads) {
            return new SentencePiece(vocabSize, TeleChat2Vocab.peerMetaPieces(), true, true, 0.9995, 16, true, true, threads);
        }

        /** TeleChat2's layout: ids 0-133 as in its tokenizer.model, byte fallback, split digits. */
        public static SentencePiece telechat2(int vocabSize, int threads) {
            return new SentencePiece(vocabSize, TeleChat2Vocab.metaPieces(), true, true, 0.9995, 16, true, true, threads);
        }

        /** A copy with another thread count. */
        public SentencePiece withThreads(int t) {
            return new SentencePiece(vocabSize, metaPieces, byteFallback, splitDigits, characterCoverage, maxPieceLength,
                    allowWhitespaceOnlyPieces, splitByUnicodeScript, t);
        }
    }

    /**
     * Byte-level BPE (GPT-2 / Qwen2 style).
     *
     * @param specialTokens  added tokens, given ids after the merges
     * @param pattern        pre-tokenizer regex
     * @param maxPieceLength longest piece, in bytes
     */
    record ByteLevel(int vocabSize, List<String> specialTokens, PreTokenizerPattern pattern, int maxPieceLength,
                     int threads) implements TrainerOptions {
        public ByteLevel {
            specialTokens = List.copyOf(specialTokens);
            if (vocabSize < 256 + specialTokens.size()) throw new IllegalArgumentException("vocabSize must cover 256 bytes and the special tokens");
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        }
    }
}
