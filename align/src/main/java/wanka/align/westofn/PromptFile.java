package wanka.align.westofn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.Quarantined;
import wanka.align.sft.SftFormat;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import wanka.align.io.QuarantiningJsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts read from JSONL: {@code {"prompt": "..."}} (with an optional {@code "system"}) or {@code {"prompt": [messages]}},
 * or any SFT layout ({@link SftFormat}: messages, Alpaca, ShareGPT), whose conversation is cut after its last user turn
 * (so an SFT or preference file can serve as the prompt set). Bad lines are quarantined with file, line and reason.
 */
public record PromptFile(List<Prompt> prompts, List<Quarantined> quarantined) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PromptFile {
        prompts = List.copyOf(prompts);
        quarantined = List.copyOf(quarantined);
    }

    public static PromptFile load(List<Path> files) throws IOException {
        var read = QuarantiningJsonl.readEach(files, (f, line, node, text, i) -> new Prompt(i, f, line, messages(node)));
        return new PromptFile(read.items(), read.quarantined());
    }

    static List<Message> messages(JsonNode n) throws BadSampleException {
        List<Message> all = new ArrayList<>();
        if (n.has("prompt")) {
            JsonNode p = n.get("prompt");
            if (p.isArray()) {
                com.fasterxml.jackson.databind.node.ObjectNode w = JSON.createObjectNode();
                w.set("messages", p);
                all.addAll(new SftFormat.OpenAiMessages().messages(w));
            } else {
                if (n.hasNonNull("system") && !n.get("system").asText().isEmpty()) all.add(new Message(Role.SYSTEM, n.get("system").asText()));
                all.add(new Message(Role.USER, p.asText()));
            }
        } else if (n.has("instruction") && !n.has("output")) {
            String input = n.path("input").asText("");
            all.add(new Message(Role.USER, input.isEmpty() ? n.get("instruction").asText() : n.get("instruction").asText() + "\n" + input));
        } else {
            all.addAll(SftFormat.detect(n).orElseThrow(() -> new BadSampleException(
                    "unknown layout: expected \"prompt\" (a string or messages), \"instruction\", \"messages\" or \"conversations\"")).messages(n));
        }
        int last = all.size() - 1;
        while (last >= 0 && all.get(last).role() != Role.USER) last--;
        if (last < 0) throw new BadSampleException("no user turn to answer");
        return all.subList(0, last + 1);
    }
}
