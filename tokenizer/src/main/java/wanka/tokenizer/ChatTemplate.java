package wanka.tokenizer;

import java.util.List;

/**
 * TeleChat2's chat format, as built by its {@code deepspeed/train.py}:
 * {@code <_system>{system}\n<_user>{q1}<_bot>{a1}<_end>\n<_user>{q2}<_bot>}. Role markers are single special ids;
 * each message text is encoded on its own (no special-token matching inside messages), "\n" separately.
 * The loss mask is true for the assistant's tokens and the {@code <_end>} that closes them.
 */
public record ChatTemplate(Tokenizer tokenizer, int systemId, int userId, int botId, int endId) {
    /** Who wrote a message. */
    public enum Role { SYSTEM, USER, ASSISTANT }

    /** One message. */
    public record Message(Role role, String content) { }

    /** Encoded conversation: ids and, per id, whether it is trained on. */
    public record Encoded(int[] ids, boolean[] lossMask) { }

    /** TeleChat2's template over a tokenizer whose vocabulary has {@code <_system>}, {@code <_user>}, {@code <_bot>}, {@code <_end>}. */
    public static ChatTemplate telechat2(Tokenizer t) {
        return new ChatTemplate(t, require(t, TeleChat2Vocab.SYSTEM), require(t, TeleChat2Vocab.USER),
                require(t, TeleChat2Vocab.BOT), require(t, TeleChat2Vocab.END));
    }

    private static int require(Tokenizer t, String piece) {
        return t.id(piece).orElseThrow(() -> new IllegalArgumentException("tokenizer has no piece " + piece + " for the TeleChat2 chat template"));
    }

    /**
     * Encodes a conversation. A system message may only come first. With {@code generationPrompt}, a trailing
     * {@code <_bot>} is added after a final user message.
     */
    public Encoded encode(List<Message> messages, boolean generationPrompt) {
        IntList ids = new IntList(256);
        java.util.BitSet mask = new java.util.BitSet();
        int[] newline = tokenizer.encodeOrdinary("\n");
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            switch (m.role()) {
                case SYSTEM -> {
                    if (i != 0) throw new IllegalArgumentException("system message at position " + i + "; only the first may be a system message");
                    ids.add(systemId);
                    ids.addAll(tokenizer.encodeOrdinary(m.content()));
                    ids.addAll(newline);
                }
                case USER -> {
                    ids.add(userId);
                    ids.addAll(tokenizer.encodeOrdinary(m.content()));
                }
                case ASSISTANT -> {
                    ids.add(botId);
                    int from = ids.size();
                    ids.addAll(tokenizer.encodeOrdinary(m.content()));
                    ids.add(endId);
                    mask.set(from, ids.size());
                    ids.addAll(newline);
                }
            }
        }
        if (generationPrompt) {
            if (messages.isEmpty() || messages.getLast().role() != Role.USER)
                throw new IllegalArgumentException("a generation prompt needs a final user message");
            ids.add(botId);
        }
        boolean[] lm = new boolean[ids.size()];
        for (int i = mask.nextSetBit(0); i >= 0; i = mask.nextSetBit(i + 1)) lm[i] = true;
        return new Encoded(ids.toArray(), lm);
    }
}
