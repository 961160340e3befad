package wanka.align.select;

import com.fasterxml.jackson.databind.JsonNode;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.Quarantined;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftFormat;
import wanka.align.sft.SftSample;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import wanka.align.io.QuarantiningJsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An SFT dataset (any {@link SftFormat}) read for data selection: each usable line becomes a {@link SelectionSample}
 * whose last assistant turn is the scored answer; lines SFT could not train on are quarantined with file, line and
 * reason. The category is the line's {@code categoryField} when given, else the {@link TagRules} tag of its
 * instruction when rules are given, else {@code all}.
 */
public record SelectionData(List<SelectionSample> samples, List<Quarantined> quarantined) {

    public SelectionData {
        samples = List.copyOf(samples);
        quarantined = List.copyOf(quarantined);
    }

    public static SelectionData load(List<Path> files, ChatTemplate template, int maxTokens, String categoryField, TagRules rules) throws IOException {
        var read = QuarantiningJsonl.readEach(files, (f, line, node, text, i) -> sample(i, f, line, node, text, template, maxTokens, categoryField, rules));
        return new SelectionData(read.items(), read.quarantined());
    }

    static SelectionSample sample(long index, Path f, long line, JsonNode node, String text, ChatTemplate template, int maxTokens, String categoryField,
                                  TagRules rules) throws BadSampleException {
        List<Message> messages = SftDataset.messages(node);
        SftSample full = SftDataset.render(f, line, messages, template, maxTokens);
        if (messages.getLast().role() != Role.ASSISTANT) throw new BadSampleException("the conversation does not end with an assistant turn to score");
        if (messages.getLast().content().isEmpty()) throw new BadSampleException("the last assistant turn is empty");
        boolean[] lastOnly = lastRun(full.lossMask());
        SftSample conditioned = new SftSample(f, line, full.ids(), lastOnly);
        SftSample direct = SftDataset.render(f, line, List.of(messages.getLast()), template, maxTokens);
        String category = categoryField != null && node.hasNonNull(categoryField) ? node.get(categoryField).asText()
                : rules != null ? rules.tag(instruction(messages)) : "all";
        return new SelectionSample(index, f, line, text, messages, category, conditioned, direct);
    }

    /** The mask with only its last contiguous run of true kept (the last assistant turn). */
    static boolean[] lastRun(boolean[] mask) {
        boolean[] out = new boolean[mask.length];
        int end = mask.length - 1;
        while (end >= 0 && !mask[end]) end--;
        int start = end;
        while (start > 0 && mask[start - 1]) start--;
        if (end >= 0) Arrays.fill(out, start, end + 1, true);
        return out;
    }

    private static String instruction(List<Message> m) {
        for (int i = m.size() - 1; i >= 0; i--) if (m.get(i).role() == Role.USER) return m.get(i).content();
        return "";
    }
}
