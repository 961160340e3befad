package wanka.align.pref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.SftFormat;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSONL layouts of preference data, each turned into pairs:
 * <ul>
 *   <li>{@link Pairs}: {@code {"prompt": "...", "chosen": "...", "rejected": "..."}} with optional {@code "system"} and
 *       {@code "margin"} and {@code "confidence"} (as West-of-N writes it); or in the messages style of TRL / Anthropic HH, {@code "chosen"} and {@code "rejected"} as
 *       message lists ({@code [{"role": "user", "content": …}, {"role": "assistant", "content": …}]}) ending with the
 *       response, either with the conversation before it in {@code "prompt"} (a string or a message list) or repeated in
 *       both (then everything but the last message must be equal, and it is the prompt);</li>
 *   <li>{@link Graded}: a prompt with responses graded {@code high} / {@code mid} / {@code low} (TeleChat2's reward
 *       data): {@code {"prompt": "...", "responses": [{"response": "...", "label": "high"}, …]}} or
 *       {@code {"prompt": "...", "high": "...", "mid": "...", "low": "..."}}; every response of a higher grade is
 *       paired with every one of a lower grade, margins from {@link LabelledPairs}.</li>
 * </ul>
 * A line's layout is recognised by its keys ({@link #detect}); anything else is an error naming what is missing.
 */
public sealed interface PreferenceFormat {

    /** The pairs of one JSON object of this layout. */
    List<PreferencePair> pairs(JsonNode line, LabelledPairs margins) throws BadSampleException;

    /** {@code chosen}+{@code rejected}: pairs; {@code responses} or any of {@code high}/{@code mid}/{@code low}: graded. */
    static Optional<PreferenceFormat> detect(JsonNode line) {
        if (line.has("chosen") && line.has("rejected")) return Optional.of(new Pairs());
        if (line.has("responses") || line.has("high") || line.has("mid") || line.has("low")) return Optional.of(new Graded());
        return Optional.empty();
    }

    /** One pair per line. */
    record Pairs() implements PreferenceFormat {
        @Override
        public List<PreferencePair> pairs(JsonNode line, LabelledPairs margins) throws BadSampleException {
            JsonNode c = line.get("chosen"), r = line.get("rejected");
            double margin = line.path("margin").asDouble(0);
            double confidence = line.hasNonNull("confidence") ? line.get("confidence").asDouble() : Double.NaN;
            if (c.isTextual() && r.isTextual()) return List.of(new PreferencePair(prompt(line, true), c.asText(), r.asText(), margin, confidence));
            if (!c.isArray() || !r.isArray()) throw new BadSampleException("\"chosen\" and \"rejected\" must both be strings or both message lists");
            List<Message> cm = messages(c, "chosen"), rm = messages(r, "rejected");
            if (cm.isEmpty() || rm.isEmpty() || cm.getLast().role() != Role.ASSISTANT || rm.getLast().role() != Role.ASSISTANT) {
                throw new BadSampleException("\"chosen\" and \"rejected\" must end with an assistant message (the response)");
            }
            List<Message> prompt;
            if (line.has("prompt")) {
                if (cm.size() != 1 || rm.size() != 1) throw new BadSampleException("with a \"prompt\", \"chosen\" and \"rejected\" must hold only the response message");
                prompt = prompt(line, true);
            } else {
                prompt = cm.subList(0, cm.size() - 1);
                if (!prompt.equals(rm.subList(0, rm.size() - 1))) throw new BadSampleException("\"chosen\" and \"rejected\" differ before their last message, so they do not share a prompt");
            }
            return List.of(pair(prompt, cm.getLast().content(), rm.getLast().content(), margin, confidence));
        }
    }

    /** Responses graded high / mid / low. */
    record Graded() implements PreferenceFormat {
        @Override
        public List<PreferencePair> pairs(JsonNode line, LabelledPairs margins) throws BadSampleException {
            List<Message> prompt = prompt(line, false);
            List<String> high = new ArrayList<>(), mid = new ArrayList<>(), low = new ArrayList<>();
            if (line.has("responses")) {
                JsonNode arr = line.get("responses");
                if (!arr.isArray()) throw new BadSampleException("\"responses\" is not an array");
                for (int i = 0; i < arr.size(); i++) {
                    JsonNode e = arr.get(i);
                    String text = firstText(e, "responses[" + i + "]", "response", "text", "content");
                    String label = firstText(e, "responses[" + i + "]", "label", "grade");
                    switch (label.strip().toLowerCase(java.util.Locale.ROOT)) {
                        case "high" -> high.add(text);
                        case "mid", "medium" -> mid.add(text);
                        case "low" -> low.add(text);
                        default -> throw new BadSampleException("unknown label \"" + label + "\" in responses[" + i + "] (expected high, mid or low)");
                    }
                }
            } else {
                for (String g : List.of("high", "mid", "low")) {
                    JsonNode v = line.get(g);
                    if (v == null || v.isNull()) continue;
                    List<String> into = g.equals("high") ? high : g.equals("mid") ? mid : low;
                    if (v.isArray()) v.forEach(x -> into.add(x.asText()));
                    else if (v.isTextual()) into.add(v.asText());
                    else throw new BadSampleException("\"" + g + "\" must be a string or a list of strings");
                }
            }
            List<PreferencePair> out = margins.pairs(prompt, high, mid, low);
            if (out.isEmpty()) throw new BadSampleException("responses of only one grade (" + high.size() + " high, " + mid.size() + " mid, " + low.size() + " low): no pair to learn from");
            return out;
        }
    }

    private static PreferencePair pair(List<Message> prompt, String chosen, String rejected, double margin, double confidence) throws BadSampleException {
        if (prompt.isEmpty() || prompt.getLast().role() != Role.USER) throw new BadSampleException("the prompt must end with a user message");
        return new PreferencePair(prompt, chosen, rejected, margin, confidence);
    }

    /** {@code "prompt"} as a string (with an optional {@code "system"}) or a message list ending with a user turn. */
    private static List<Message> prompt(JsonNode line, boolean required) throws BadSampleException {
        JsonNode p = line.get("prompt");
        if (p == null || p.isNull()) throw new BadSampleException("no \"prompt\"" + (required ? "" : " in the line"));
        List<Message> out = new ArrayList<>();
        if (p.isArray()) {
            out.addAll(messages(p, "prompt"));
        } else {
            if (line.hasNonNull("system") && !line.get("system").asText().isEmpty()) out.add(new Message(Role.SYSTEM, line.get("system").asText()));
            out.add(new Message(Role.USER, p.asText()));
        }
        if (out.isEmpty() || out.getLast().role() != Role.USER) throw new BadSampleException("the prompt must end with a user message");
        return out;
    }

    private static List<Message> messages(JsonNode arr, String key) throws BadSampleException {
        ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
        wrapped.set("messages", arr);
        try {
            return new SftFormat.OpenAiMessages().messages(wrapped);
        } catch (BadSampleException e) {
            throw new BadSampleException(e.getMessage().replace("messages", key));
        }
    }

    private static String firstText(JsonNode n, String where, String... keys) throws BadSampleException {
        for (String k : keys) if (n.hasNonNull(k)) return n.get(k).asText();
        throw new BadSampleException("no \"" + keys[0] + "\" in " + where);
    }
}
