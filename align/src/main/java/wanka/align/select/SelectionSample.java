package wanka.align.select;

import wanka.align.sft.SftSample;
import wanka.tokenizer.ChatTemplate.Message;

import java.nio.file.Path;
import java.util.List;

/**
 * One instruction sample prepared for scoring: Q is the conversation before its last assistant turn, A that turn.
 *
 * @param index       0-based among the usable samples (the key scores are written and resumed by)
 * @param text        the original JSONL line (what a selected dataset keeps)
 * @param category    its category (a field of the line, a rule tag, or "all")
 * @param conditioned the whole conversation, loss mask on A only (and its {@code <_end>}): gives s(A|Q)
 * @param direct      A alone as an assistant turn ({@code <_bot>A<_end>}): gives s(A)
 */
public record SelectionSample(long index, Path file, long line, String text, List<Message> messages, String category,
                              SftSample conditioned, SftSample direct) {
    public SelectionSample {
        messages = List.copyOf(messages);
    }

    /** The instruction (last user turn) for reports. */
    public String instruction() {
        for (int i = messages.size() - 1; i >= 0; i--) if (messages.get(i).role() == wanka.tokenizer.ChatTemplate.Role.USER) return messages.get(i).content();
        return "";
    }

    /** The scored answer. */
    public String answer() {
        return messages.getLast().content();
    }
}
