package wanka.align.sft;

import com.fasterxml.jackson.databind.JsonNode;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;
import wanka.tokenizer.Tokenizer;

import wanka.align.io.QuarantiningJsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * SFT conversations read from JSONL files ({@link SftFormat}: OpenAI {@code messages}, Alpaca, ShareGPT), rendered with
 * TeleChat2's chat template ({@link ChatTemplate}) and masked so only assistant tokens are trained on.
 *
 * <p>A line that cannot be trained on (not JSON, unknown layout or role, no assistant turn, a system message after the
 * first, longer than {@code maxTokens}) is not silently dropped: it goes to {@link #quarantined()} with its file, line
 * and reason. Blank lines are skipped.
 *
 * @param samples     the usable conversations, in file and line order
 * @param quarantined the lines set aside
 */
public record SftDataset(List<SftSample> samples, List<Quarantined> quarantined) {

    public SftDataset {
        samples = List.copyOf(samples);
        quarantined = List.copyOf(quarantined);
    }

    /**
     * TeleChat2's template over {@code tokenizer}, or an error saying the tokenizer lacks the chat tokens.
     *
     * @throws IllegalArgumentException naming the missing piece
     */
    public static ChatTemplate template(Tokenizer tokenizer) {
        try {
            return ChatTemplate.telechat2(tokenizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("this tokenizer cannot render chat data: " + e.getMessage()
                    + "; SFT needs a TeleChat2 tokenizer with <_system>, <_user>, <_bot> and <_end>", e);
        }
    }

    /** Reads every file in order; {@code maxTokens} is the longest rendered sample kept (the training sequence length). */
    public static SftDataset load(List<Path> files, ChatTemplate template, int maxTokens) throws IOException {
        var read = QuarantiningJsonl.readEach(files, (f, line, node, text, i) -> render(f, line, node, template, maxTokens));
        return new SftDataset(read.items(), read.quarantined());
    }

    /** One JSONL line as a sample. */
    public static SftSample render(Path file, long line, String text, ChatTemplate template, int maxTokens) throws BadSampleException {
        return render(file, line, QuarantiningJsonl.object(text), template, maxTokens);
    }

    /** One line's JSON object as a sample. */
    public static SftSample render(Path file, long line, JsonNode node, ChatTemplate template, int maxTokens) throws BadSampleException {
        return render(file, line, messages(node), template, maxTokens);
    }

    /** The conversation of one line in any {@link SftFormat}. */
    public static List<Message> messages(JsonNode node) throws BadSampleException {
        SftFormat format = SftFormat.detect(node).orElseThrow(() -> new BadSampleException(
                "unknown layout: expected \"messages\" (OpenAI), \"conversations\" (ShareGPT) or \"instruction\"+\"output\" (Alpaca)"));
        return format.messages(node);
    }

    /** Renders messages; fails on no assistant turn, a late system message, or more than {@code maxTokens} tokens. */
    public static SftSample render(Path file, long line, List<Message> messages, ChatTemplate template, int maxTokens) throws BadSampleException {
        if (messages.stream().noneMatch(m -> m.role() == Role.ASSISTANT)) throw new BadSampleException("no assistant turn to train on");
        for (int i = 1; i < messages.size(); i++) {
            if (messages.get(i).role() == Role.SYSTEM) throw new BadSampleException("system message at position " + i + "; only the first message may be a system message");
        }
        ChatTemplate.Encoded enc = template.encode(messages, false);
        if (enc.ids().length > maxTokens) {
            throw new BadSampleException("too long: " + enc.ids().length + " tokens, the sequence holds " + maxTokens);
        }
        return new SftSample(file, line, enc.ids(), enc.lossMask());
    }

    /** Tokens the loss is taken on, over all samples. */
    public long trainedTokens() {
        return samples.stream().mapToLong(SftSample::trainedTokens).sum();
    }

    /** One line for logs: kept and quarantined counts. */
    public String summary() {
        return samples.size() + " samples (" + trainedTokens() + " assistant tokens), " + quarantined.size() + " lines quarantined";
    }

}
