package wanka.align.sft;

import com.fasterxml.jackson.databind.JsonNode;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSONL conversation layouts users bring to SFT, each turned into a list of chat messages:
 * <ul>
 *   <li>{@link OpenAiMessages}: {@code {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}}
 *       (multi-turn, optional system prompt first);</li>
 *   <li>{@link Alpaca}: {@code {"instruction": "...", "input": "...", "output": "...", "system": "..."}}; the user turn is
 *       {@code instruction} alone, or {@code instruction + "\n" + input} when {@code input} is not empty (as
 *       LLaMA-Factory's Alpaca converter joins them);</li>
 *   <li>{@link ShareGpt}: {@code {"conversations": [{"from": "human"|"gpt"|"system", "value": "..."}], "system": "..."}};
 *       {@code user}/{@code assistant} are accepted as {@code from} values too.</li>
 * </ul>
 * A line's layout is recognised by its keys ({@link #detect}); any other role is an error, never guessed.
 */
public sealed interface SftFormat {

    /** The messages of one JSON object of this layout; the message says what is wrong with a bad one. */
    List<Message> messages(JsonNode line) throws BadSampleException;

    /** Short name for reports ("messages", "alpaca", "sharegpt"). */
    String name();

    /** The layout of a JSON object, by its keys: {@code messages}, {@code conversations}, or {@code instruction}/{@code output}. */
    static Optional<SftFormat> detect(JsonNode line) {
        if (line.has("messages")) return Optional.of(new OpenAiMessages());
        if (line.has("conversations")) return Optional.of(new ShareGpt());
        if (line.has("instruction") && line.has("output")) return Optional.of(new Alpaca());
        return Optional.empty();
    }

    /** OpenAI chat layout. */
    record OpenAiMessages() implements SftFormat {
        @Override
        public List<Message> messages(JsonNode line) throws BadSampleException {
            JsonNode arr = line.get("messages");
            if (!arr.isArray()) throw new BadSampleException("\"messages\" is not an array");
            List<Message> out = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) {
                JsonNode m = arr.get(i);
                String role = text(m, "role", "messages[" + i + "]");
                out.add(new Message(role(role, i, "role"), text(m, "content", "messages[" + i + "]")));
            }
            return out;
        }

        private static Role role(String r, int i, String key) throws BadSampleException {
            return switch (r) {
                case "system" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw new BadSampleException("unknown " + key + " \"" + r + "\" in messages[" + i + "] (expected system, user or assistant)");
            };
        }

        @Override
        public String name() {
            return "messages";
        }
    }

    /** Alpaca instruction layout. */
    record Alpaca() implements SftFormat {
        @Override
        public List<Message> messages(JsonNode line) throws BadSampleException {
            List<Message> out = new ArrayList<>();
            if (line.hasNonNull("system") && !line.get("system").asText().isEmpty()) out.add(new Message(Role.SYSTEM, line.get("system").asText()));
            String instruction = text(line, "instruction", "the line");
            String input = line.hasNonNull("input") ? line.get("input").asText() : "";
            out.add(new Message(Role.USER, input.isEmpty() ? instruction : instruction + "\n" + input));
            out.add(new Message(Role.ASSISTANT, text(line, "output", "the line")));
            return out;
        }

        @Override
        public String name() {
            return "alpaca";
        }
    }

    /** ShareGPT layout. */
    record ShareGpt() implements SftFormat {
        @Override
        public List<Message> messages(JsonNode line) throws BadSampleException {
            JsonNode arr = line.get("conversations");
            if (!arr.isArray()) throw new BadSampleException("\"conversations\" is not an array");
            List<Message> out = new ArrayList<>();
            if (line.hasNonNull("system") && !line.get("system").asText().isEmpty()) out.add(new Message(Role.SYSTEM, line.get("system").asText()));
            for (int i = 0; i < arr.size(); i++) {
                JsonNode m = arr.get(i);
                String from = text(m, "from", "conversations[" + i + "]");
                Role role = switch (from) {
                    case "system" -> Role.SYSTEM;
                    case "human", "user" -> Role.USER;
                    case "gpt", "assistant" -> Role.ASSISTANT;
                    default -> throw new BadSampleException("unknown role \"" + from + "\" in conversations[" + i + "] (expected human, gpt or system)");
                };
                out.add(new Message(role, text(m, "value", "conversations[" + i + "]")));
            }
            return out;
        }

        @Override
        public String name() {
            return "sharegpt";
        }
    }

    private static String text(JsonNode n, String key, String where) throws BadSampleException {
        JsonNode v = n == null ? null : n.get(key);
        if (v == null || v.isNull()) throw new BadSampleException("no \"" + key + "\" in " + where);
        if (!v.isTextual()) throw new BadSampleException("\"" + key + "\" in " + where + " is not a string");
        return v.asText();
    }
}
