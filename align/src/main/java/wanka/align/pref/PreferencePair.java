package wanka.align.pref;

import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import java.util.List;

/**
 * A prompt (the conversation before the response: an optional system message, then user and assistant turns ending
 * with a user turn) with a preferred and a dispreferred response, and the reward-model margin between them (0: none).
 *
 * @param confidence how sure the pair's source is, e.g. σ(r_c − r_r) for West-of-N pairs (NaN: not given)
 */
public record PreferencePair(List<Message> prompt, String chosen, String rejected, double margin, double confidence) {
    public PreferencePair {
        prompt = List.copyOf(prompt);
        if (prompt.isEmpty() || prompt.getLast().role() != Role.USER) throw new IllegalArgumentException("a preference prompt must end with a user turn");
    }

    /** A single-turn prompt. */
    public PreferencePair(String prompt, String chosen, String rejected, double margin, double confidence) {
        this(List.of(new Message(Role.USER, prompt)), chosen, rejected, margin, confidence);
    }

    /** The prompt followed by {@code response} as the assistant's turn. */
    public List<Message> with(String response) {
        List<Message> m = new java.util.ArrayList<>(prompt);
        m.add(new Message(Role.ASSISTANT, response));
        return m;
    }

    /** The last user turn (for reports). */
    public String lastUser() {
        return prompt.getLast().content();
    }
}
