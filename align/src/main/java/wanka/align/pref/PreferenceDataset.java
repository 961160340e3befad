package wanka.align.pref;

import com.fasterxml.jackson.databind.JsonNode;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.Quarantined;
import wanka.align.sft.SftDataset;
import wanka.tokenizer.ChatTemplate;

import wanka.align.io.QuarantiningJsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Preference pairs read from JSONL files in any {@link PreferenceFormat} (pairs, messages-style pairs, graded
 * responses). A line that cannot be used (not JSON, unknown layout or role, one grade only, a prompt not ending with a
 * user turn, chosen or rejected longer than {@code maxTokens} once rendered) is quarantined with its file, line and
 * reason, never silently dropped. Blank lines are skipped.
 */
public record PreferenceDataset(List<PreferencePair> pairs, List<Quarantined> quarantined) {

    public PreferenceDataset {
        pairs = List.copyOf(pairs);
        quarantined = List.copyOf(quarantined);
    }

    public static PreferenceDataset load(List<Path> files, LabelledPairs margins, ChatTemplate template, int maxTokens) throws IOException {
        var read = QuarantiningJsonl.read(files, (f, line, node, text, i) -> parse(f, line, node, margins, template, maxTokens));
        return new PreferenceDataset(read.items(), read.quarantined());
    }

    /** The pairs of one line, each response checked to render within {@code maxTokens}. */
    static List<PreferencePair> parse(Path file, long line, JsonNode node, LabelledPairs margins, ChatTemplate template, int maxTokens) throws BadSampleException {
        PreferenceFormat format = PreferenceFormat.detect(node).orElseThrow(() -> new BadSampleException(
                "unknown layout: expected \"chosen\"+\"rejected\" (pairs) or \"responses\" / \"high\", \"mid\", \"low\" (graded responses)"));
        List<PreferencePair> pairs = format.pairs(node, margins);
        for (PreferencePair p : pairs) {
            for (String response : List.of(p.chosen(), p.rejected())) {
                try {
                    SftDataset.render(file, line, p.with(response), template, maxTokens);
                } catch (BadSampleException e) {
                    throw new BadSampleException((response == p.chosen() ? "chosen: " : "rejected: ") + e.getMessage());
                }
            }
        }
        return pairs;
    }

    /** One line for logs. */
    public String summary() {
        return pairs.size() + " pairs, " + quarantined.size() + " lines quarantined";
    }

}
