package wanka.tokenizer.sp;

import wanka.tokenizer.proto.ProtoReader;
import wanka.tokenizer.proto.ProtoWriter;

import java.io.ByteArrayOutputStream;

/**
 * SentencePiece {@code NormalizerSpec}: rule name, precompiled character map (empty for "identity") and the
 * whitespace flags. Fields this class does not model are kept verbatim in {@code otherFields}.
 */
public record NormalizerSpec(String name, byte[] precompiledCharsmap, boolean addDummyPrefix,
                             boolean removeExtraWhitespaces, boolean escapeWhitespaces, byte[] otherFields) {

    /** TeleChat2's normalizer: identity, dummy prefix, whitespace kept as is. */
    public static NormalizerSpec identity(boolean addDummyPrefix, boolean removeExtraWhitespaces) {
        return new NormalizerSpec("identity", new byte[0], addDummyPrefix, removeExtraWhitespaces, true, new byte[0]);
    }

    static NormalizerSpec read(ProtoReader r) {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean dummy = true, removeWs = true, escape = true;
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string();
                case 2 -> charsmap = r.bytes();
                case 3 -> dummy = r.bool();
                case 4 -> removeWs = r.bool();
                case 5 -> escape = r.bool();
                default -> {
                    int start = r.fieldStart();
                    r.skip();
                    other.write(r.buffer(), start, r.position() - start);
                }
            }
        }
        return new NormalizerSpec(name, charsmap, dummy, removeWs, escape, other.toByteArray());
    }

    ProtoWriter write() {
        ProtoWriter w = new ProtoWriter().string(1, name);
        if (precompiledCharsmap.length > 0) w.bytes(2, precompiledCharsmap);
        return w.bool(3, addDummyPrefix).bool(4, removeExtraWhitespaces).bool(5, escapeWhitespaces).rawFields(otherFields);
    }
}
