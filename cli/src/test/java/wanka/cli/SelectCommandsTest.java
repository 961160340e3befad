package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** wanka select (scores, clusters, kept lines and reasons, resumed scoring) and wanka select-model (table and plot) on tiny data. */
class SelectCommandsTest {

    static Path data(Path dir) throws IOException {
        String[] words = {"cat", "dog", "mat", "world", "question", "answer"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String w = words[i % words.length];
            lines.add("{\"instruction\": \"what is a " + w + "\", \"output\": \"a " + w + " is " + words[(i * 5) % words.length] + " on the mat\"}");
        }
        lines.add("{\"instruction\": \"no answer\"}");
        return Files.write(dir.resolve("data.jsonl"), lines);
    }

    @Test
    void selectKeepsTheBudgetWithReasonsAndReusesItsScores(@TempDir Path dir) throws IOException {
        Path base = PostTrainCommandsTest.base(dir), data = data(dir), out = dir.resolve("sel");
        Path rules = Files.writeString(dir.resolve("tags.json"), "{\"animals\": [\"cat\", \"dog\"]}");
        String[] args = {"select", "--model", base.toString(), "--data", data.toString(), "--out", out.toString(), "--clusters", "2", "--nearest", "3",
                "--keep", "4", "--rank-by", "ifd", "--keep-ifd-above-1", "--tag-rules", rules.toString(), "--batch", "5", "--threads", "2", "--seq", "48"};
        PostTrainCommandsTest.Outcome o = PostTrainCommandsTest.run(args);
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.log()).contains("12 samples, 1 lines quarantined").contains("12 computed");
        assertThat(Files.readAllLines(out.resolve("scores.jsonl"))).hasSize(12);
        List<String> decisions = Files.readAllLines(out.resolve("decisions.jsonl"));
        assertThat(decisions).hasSize(12);
        assertThat(decisions).allSatisfy(l -> assertThat(l).contains("\"reason\""));
        List<String> kept = Files.readAllLines(out.resolve("selected.jsonl"));
        assertThat(kept).hasSize(4); // a random model's IFD is near 1 either side, so Cherry's rule is off here (tested in SelectionTest)
        assertThat(Files.readAllLines(data)).containsAll(kept);
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Clusters").contains("animals").contains("other");

        PostTrainCommandsTest.Outcome again = PostTrainCommandsTest.run(PostTrainCommandsTest.concat(args, "--rank-by", "random"));
        assertThat(again.code()).isEqualTo(2); // --rank-by given twice: picocli's usage error
        String[] random = args.clone();
        random[java.util.Arrays.asList(args).indexOf("ifd")] = "random";
        PostTrainCommandsTest.Outcome r = PostTrainCommandsTest.run(random);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.log()).contains("0 computed").contains("12 already");

        PostTrainCommandsTest.Outcome other = PostTrainCommandsTest.run(PostTrainCommandsTest.concat(
                new String[]{"select", "--model", base.toString(), "--data", data.toString(), "--data", data.toString(), "--out", out.toString(), "--threads", "2", "--seq", "48"}));
        assertThat(other.code()).isEqualTo(1);
        assertThat(other.err()).contains("--overwrite");
    }

    @Test
    void selectModelTabulatesAndPlotsPerplexityOfEveryVersion(@TempDir Path dir) throws IOException {
        Path base = PostTrainCommandsTest.base(dir), data = data(dir), sft = dir.resolve("sft");
        PostTrainCommandsTest.Outcome s = PostTrainCommandsTest.run("sft", "--model", base.toString(), "--data", data.toString(), "--out", sft.toString(),
                "--steps", "2", "--checkpoint-every", "1", "--lr", "3e-3", "--seq", "48", "--batch", "4", "--threads", "2");
        assertThat(s.code()).as(s.all()).isZero();
        PostTrainCommandsTest.Outcome o = PostTrainCommandsTest.run("select-model", "--models", base.toString(), "--run", sft.toString(), "--data", data.toString(),
                "--out", dir.resolve("choice").toString(), "--threads", "2");
        assertThat(o.code()).as(o.all()).isZero();
        List<String> rows = Files.readAllLines(dir.resolve("choice/models.tsv"));
        assertThat(rows).hasSize(1 + 4);
        assertThat(rows.get(2)).startsWith("sft/step-00000001");
        assertThat(rows.get(4)).startsWith("sft/model");
        assertThat(Files.readString(dir.resolve("choice/models.md"))).contains("**(best)**");
        assertThat(Files.readString(dir.resolve("choice/ppl.svg"))).startsWith("<svg").contains("sft/model").contains("</svg>");
    }

    @Test
    void helpTeaches() {
        for (String cmd : List.of("select", "select-model")) {
            String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), cmd, "--help")).isZero());
            assertThat(out).contains("Examples:").contains("wanka " + cmd);
        }
    }
}
