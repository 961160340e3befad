package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** pretrain and the post-training commands share one set of optimizer options: the same names, help text (but for the defaults) and checks. */
class OptimizerOptionsTest {
    private static final List<String> OPTIONS = List.of("--steps", "--grad-accum", "--lr", "--min-lr", "--warmup", "--schedule", "--clip", "--weight-decay", "--beta2");

    /** The help lines of the optimizer options, defaults blanked. */
    private static String help(String command) {
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), command, "--help")).isZero());
        List<String> lines = Arrays.asList(out.split("\n"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            for (String o : OPTIONS) {
                if (l.startsWith(o + "=")) {
                    String text = l + (i + 1 < lines.size() && !lines.get(i + 1).strip().startsWith("-") ? " " + lines.get(i + 1).strip() : "");
                    sb.append(text.replaceAll("\\(default: [^)]*\\)", "(default: D)").replaceAll("\\s+", " ")).append('\n');
                }
            }
        }
        return sb.toString();
    }

    @Test
    void theSameNamesHelpAndChecksInPretrainAndPostTraining(@TempDir Path dir) {
        String pretrain = help("pretrain");
        assertThat(pretrain.lines().count()).isEqualTo(OPTIONS.size());
        for (String cmd : List.of("sft", "rm", "dpo")) assertThat(help(cmd)).as(cmd).isEqualTo(pretrain);

        for (String[] bad : List.of(new String[]{"--lr", "0"}, new String[]{"--schedule", "linear"}, new String[]{"--clip", "-1"}, new String[]{"--beta2", "1"},
                new String[]{"--grad-accum", "0"})) {
            String[] pre = {"pretrain", "--preset", "nano", "--text", dir.resolve("none.txt").toString(), "--tokenizer", dir.toString(), "--out", dir.resolve("p").toString()};
            String[] sft = {"sft", "--model", dir.toString(), "--data", dir.resolve("none.jsonl").toString(), "--out", dir.resolve("s").toString(), "--seq", "32"};
            PostTrainCommandsTest.Outcome a = PostTrainCommandsTest.run(PostTrainCommandsTest.concat(pre, bad));
            PostTrainCommandsTest.Outcome b = PostTrainCommandsTest.run(PostTrainCommandsTest.concat(sft, bad));
            assertThat(a.code()).as(String.join(" ", bad)).isEqualTo(1);
            assertThat(a.err()).as(String.join(" ", bad)).startsWith("wanka pretrain: ").hasLineCount(1);
            assertThat(b.err().replace("wanka sft: ", "")).as(String.join(" ", bad)).isEqualTo(a.err().replace("wanka pretrain: ", ""));
        }
    }
}
