package wanka.align.westofn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.align.sft.BadSampleException;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * West-of-N pairs written as JSONL, one line per prompt, appended and flushed as each prompt finishes, so a run that
 * stops can be resumed: prompts whose index is already in the output (or in the {@code .skipped.jsonl} beside it, for
 * prompts whose N rewards tied) are not sampled again, and a torn last line is cut off first.
 *
 * <p>A pair line reads as a preference pair ({@code wanka dpo --data}): {@code index}, {@code source} (file:line),
 * {@code prompt} (a string, or messages for a multi-turn prompt), {@code chosen}, {@code rejected},
 * {@code confidence} = σ(r+ − r−), {@code reward_gap}, {@code reward_chosen}, {@code reward_rejected} and all N
 * {@code rewards}.
 */
public final class WestOfNFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WestOfNFile() {
    }

    /** Totals of a run. */
    public record Summary(int pairs, int ties, int alreadyDone, long sampledTokens, double sampleSeconds) {
        public double tokensPerSecond() {
            return sampledTokens / Math.max(sampleSeconds, 1e-9);
        }
    }

    /** Where prompts without a pair are noted: {@code pairs.jsonl} → {@code pairs.skipped.jsonl}. */
    public static Path skippedFile(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
        return out.resolveSibling(stem + ".skipped.jsonl");
    }

    /** Runs every prompt not yet in {@code out}; {@code progress} hears each outcome. */
    public static Summary run(List<Prompt> prompts, WestOfN wn, Path out, Consumer<WestOfN.Outcome> progress) throws IOException, BadSampleException {
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Path skipped = skippedFile(out);
        Set<Long> done = new HashSet<>(done(out));
        done.addAll(done(skipped));
        int pairs = 0, ties = 0, already = 0;
        long tokens = 0;
        double secs = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             BufferedWriter s = Files.newBufferedWriter(skipped, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (Prompt p : prompts) {
                if (done.contains(p.index())) {
                    already++;
                    continue;
                }
                WestOfN.Outcome o = wn.run(p);
                tokens += o.sampledTokens();
                secs += o.sampleSeconds();
                BufferedWriter target = o.best() == null ? s : w;
                target.write(JSON.writeValueAsString(line(o)));
                target.newLine();
                target.flush();
                if (o.best() == null) ties++;
                else pairs++;
                progress.accept(o);
            }
        }
        return new Summary(pairs, ties, already, tokens, secs);
    }

    static ObjectNode line(WestOfN.Outcome o) {
        ObjectNode n = JSON.createObjectNode();
        Prompt p = o.prompt();
        n.put("index", p.index());
        n.put("source", p.file() + ":" + p.line());
        List<Message> m = p.messages();
        if (m.size() == 1 && m.getFirst().role() == Role.USER) {
            n.put("prompt", m.getFirst().content());
        } else {
            ArrayNode arr = n.putArray("prompt");
            for (Message x : m) arr.addObject().put("role", x.role().name().toLowerCase(Locale.ROOT)).put("content", x.content());
        }
        if (o.best() != null) {
            n.put("chosen", o.best().text());
            n.put("rejected", o.worst().text());
            n.put("confidence", o.confidence());
            n.put("reward_gap", o.gap());
            n.put("reward_chosen", o.best().reward());
            n.put("reward_rejected", o.worst().reward());
        } else {
            n.put("skipped", "all " + o.candidates().size() + " rewards are equal");
        }
        ArrayNode r = n.putArray("rewards");
        o.candidates().forEach(c -> r.add(c.reward()));
        return n;
    }

    /** The prompt indices in {@code file}, after cutting a torn (unterminated) last line. */
    static Set<Long> done(Path file) throws IOException {
        return new HashSet<>(wanka.align.io.ResumableJsonl.done(file).keySet());
    }
}
