package wanka.tokenizer.sp;

import wanka.io.AtomicFiles;
import wanka.tokenizer.proto.ProtoReader;
import wanka.tokenizer.proto.ProtoWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SentencePiece {@code ModelProto} ({@code tokenizer.model}): the vocabulary, trainer spec and normalizer spec.
 * Read and written with a hand-rolled protobuf codec; other top-level fields (self-test data, denormalizer) are
 * dropped on write.
 */
public record SentencePieceModel(List<Piece> pieces, TrainerSpec trainer, NormalizerSpec normalizer) {
    public SentencePieceModel {
        pieces = List.copyOf(pieces);
    }

    /** Parses a serialized {@code ModelProto}; {@code what} names the source in errors. */
    public static SentencePieceModel parse(byte[] data, String what) {
        ProtoReader r = new ProtoReader(data, what);
        List<Piece> pieces = new ArrayList<>();
        TrainerSpec trainer = null;
        NormalizerSpec normalizer = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> pieces.add(readPiece(r.message(), what, pieces.size()));
                case 2 -> trainer = TrainerSpec.read(r.message());
                case 3 -> normalizer = NormalizerSpec.read(r.message());
                default -> r.skip();
            }
        }
        if (pieces.isEmpty()) throw new IllegalArgumentException(what + ": SentencePiece model has no pieces");
        if (trainer == null) trainer = TrainerSpec.read(new ProtoReader(new byte[0], what));
        if (normalizer == null) normalizer = NormalizerSpec.read(new ProtoReader(new byte[0], what));
        return new SentencePieceModel(pieces, trainer, normalizer);
    }

    /** Reads a {@code .model} file. */
    public static SentencePieceModel read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Serializes to {@code ModelProto} bytes. */
    public byte[] toBytes() {
        ProtoWriter w = new ProtoWriter();
        for (Piece p : pieces) {
            ProtoWriter pw = new ProtoWriter().string(1, p.text()).float32(2, p.score());
            if (p.type() != PieceType.NORMAL) pw.varint(3, p.type().proto);
            w.message(1, pw);
        }
        return w.message(2, trainer.write()).message(3, normalizer.write()).toByteArray();
    }

    /** Writes a {@code .model} file (atomically: readers never see a partial model). */
    public void write(Path file) {
        try {
            AtomicFiles.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write SentencePiece model " + file, e);
        }
    }

    private static Piece readPiece(ProtoReader r, String what, int index) {
        String text = null;
        float score = 0;
        PieceType type = PieceType.NORMAL;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> text = r.string();
                case 2 -> score = r.float32();
                case 3 -> type = PieceType.ofProto((int) r.varint());
                default -> r.skip();
            }
        }
        if (text == null || text.isEmpty()) throw new IllegalArgumentException(what + ": piece " + index + " has no text");
        return new Piece(text, score, type);
    }
}
