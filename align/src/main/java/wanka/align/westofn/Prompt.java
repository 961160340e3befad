package wanka.align.westofn;

import wanka.tokenizer.ChatTemplate.Message;

import java.nio.file.Path;
import java.util.List;

/**
 * A prompt to sample responses for: the conversation up to and including its last user turn.
 *
 * @param index its 0-based position among the usable prompts of the input (the key a resumed run skips by)
 * @param file  the file it came from
 * @param line  its 1-based line
 */
public record Prompt(long index, Path file, long line, List<Message> messages) {
    public Prompt {
        messages = List.copyOf(messages);
    }
}
