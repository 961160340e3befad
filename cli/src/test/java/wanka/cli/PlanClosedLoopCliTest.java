package wanka.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.train.plan.PlanFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closed loop end to end (issue 9): {@code wanka plan calibrate} profiles this CPU, {@code wanka plan} plans wanka's
 * own run of the {@code tiny} preset on it ({@code --write-plan}), and {@code wanka pretrain --plan} runs that layout and
 * recompute choice and logs predicted vs measured step time and peak memory per rank; {@code --recompute FILE} reads the
 * same file; contradicting options are errors.
 */
class PlanClosedLoopCliTest {

    static PretrainRunDirectoryTest.Outcome wanka(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            CliTest.Outcome o = CliTest.run(args);
            return new PretrainRunDirectoryTest.Outcome(o.code(), o.err(), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void planThenPretrainRunsThePlanAndComparesTheSteps(@TempDir Path dir) throws IOException {
        Path shard = PretrainRunDirectoryTest.shard(dir), cpu = dir.resolve("cpu.json"), plan = dir.resolve("plan.json");
        assertThat(wanka("plan", "calibrate", "--threads", "1", "--seconds-per-probe", "0.05", "--out", cpu.toString()).code()).isZero();
        var planned = wanka("plan", "--model", "tiny", "--cluster", cpu.toString(), "--devices-per-node", "2", "--tp", "1", "--pp", "2",
                "--seq", "32", "--global-batch", "4", "--micro-batch", "2", "--recompute", "selective", "--write-plan", plan.toString());
        assertThat(planned.code()).as(planned.all()).isZero();
        PlanFile f = PlanFile.read(plan);
        assertThat(f.layout().precision()).isEqualTo(new PlanFile.PrecisionEntry(4, 4, 8, 4));
        assertThat(f.stages()).hasSize(2);
        assertThat(f.stages().getFirst().layers().getFirst().recompute()).containsExactly("attn-scores");

        var run = wanka("pretrain", "--preset", "tiny", "--data", shard.toString(), "--out", dir.resolve("run").toString(), "--steps", "3",
                "--threads", "2", "--quiet", "--plan", plan.toString());
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(run.log()).contains("tp1 dp1 pp2 micro-batch 2 global-batch 4 zero-1 recompute " + plan);
        for (int rank = 0; rank < 2; rank++) {
            Matcher m = Pattern.compile("plan check rank " + rank + " \\(stage " + rank + "\\): step [0-9.]+ s measured, [0-9.]+ s predicted \\([-+0-9.]+ %\\); "
                    + "peak [0-9.]+ MB measured, [0-9.]+ MB predicted \\(([-+0-9.]+) %\\)").matcher(run.log());
            assertThat(m.find()).as(run.log()).isTrue();
            assertThat(Math.abs(Double.parseDouble(m.group(1)))).as("memory error of rank %d", rank).isLessThan(5);
        }

        var same = wanka("pretrain", "--preset", "tiny", "--data", shard.toString(), "--out", dir.resolve("rc").toString(), "--steps", "1",
                "--threads", "2", "--quiet", "--pp", "2", "--micro-batch", "2", "--global-batch", "4", "--zero", "--seq", "32", "--recompute", plan.toString());
        assertThat(same.code()).as(same.all()).isZero();

        var clash = wanka("pretrain", "--preset", "tiny", "--data", shard.toString(), "--out", dir.resolve("clash").toString(), "--steps", "1",
                "--quiet", "--plan", plan.toString(), "--tp", "2");
        assertThat(clash.code()).isNotZero();
        assertThat(clash.all()).contains("contradicts --tp 2 (the plan has 1)");
        var otherModel = wanka("pretrain", "--preset", "nano", "--data", shard.toString(), "--out", dir.resolve("nano").toString(), "--steps", "1",
                "--quiet", "--plan", plan.toString());
        assertThat(otherModel.all()).contains("was made for model tiny");
        Files.writeString(plan, Files.readString(plan).replace("\"pp\" : 2", "\"pp\" : 0"));
        var bad = wanka("pretrain", "--preset", "tiny", "--data", shard.toString(), "--out", dir.resolve("bad").toString(), "--steps", "1",
                "--quiet", "--plan", plan.toString());
        assertThat(bad.all()).contains("layout.pp must be >= 1, got 0");
    }
}
