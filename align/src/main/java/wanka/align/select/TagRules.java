package wanka.align.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rule tags per capability: an ordered list of tags (e.g. {@code logic/math}, {@code cognition/knowledge},
 * {@code understanding/reading}), each with keywords; a sample's tag is the first whose keyword occurs in its
 * instruction (case-insensitive), else {@code other}. Read from JSON {@code {"logic/math": ["calculate", "solve", "计算"], …}}.
 */
public record TagRules(Map<String, List<String>> rules) {
    public static final String OTHER = "other";

    public TagRules {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        rules.forEach((k, v) -> copy.put(k, v.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList()));
        rules = java.util.Collections.unmodifiableMap(copy);
    }

    public static TagRules read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        if (n == null || !n.isObject()) throw new IOException(file + ": expected a JSON object of tag -> [keywords]");
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isArray()) throw new IOException(file + ": tag \"" + e.getKey() + "\" must map to a list of keywords");
            List<String> words = new ArrayList<>();
            e.getValue().forEach(w -> words.add(w.asText()));
            m.put(e.getKey(), words);
        }
        return new TagRules(m);
    }

    /** The first tag with a keyword in {@code text}, else {@link #OTHER}. */
    public String tag(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        for (var e : rules.entrySet()) for (String w : e.getValue()) if (t.contains(w)) return e.getKey();
        return OTHER;
    }
}
