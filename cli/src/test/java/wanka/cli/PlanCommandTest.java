package wanka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wanka plan} as a user meets it. */
class PlanCommandTest {

    @Test
    void explainsItselfWithExamples() {
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--help")).isZero());
        assertThat(out).contains("Usage:").contains("--search").contains("Examples:").contains("calibrate-check");
    }

    @Test
    void printsMemoryTimeAndBottlenecks() {
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "telechat2-115b",
                "--cluster", "910b", "--nodes", "64", "--seq", "8192", "--global-batch", "1024", "--tp", "8", "--pp", "8", "--vpp", "3",
                "--recompute", "full")).isZero());
        assertThat(out).contains("Memory of the most loaded device").contains("fits").contains("Step time:").contains("MFU")
                .contains("PP bubble").contains("Bottlenecks").contains("META trace");
    }

    @Test
    void jsonHasTheTotals() throws Exception {
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "gpt-145.6b",
                "--cluster", "a100-80", "--nodes", "192", "--seq", "2048", "--global-batch", "2304", "--tp", "8", "--pp", "8",
                "--recompute", "full", "--json")).isZero());
        JsonNode j = new ObjectMapper().readTree(out);
        assertThat(j.path("stepSeconds").path("total").asDouble()).isPositive();
        assertThat(j.path("memoryBytes").path("fits").asBoolean()).isTrue();
        assertThat(j.path("parameters").asLong()).isEqualTo(wanka.plan.ModelPresets.get("gpt-145.6b").parameterCount());
    }

    @Test
    void badLayoutsAndNamesGetOneLineReasons() {
        CliTest.Outcome o = CliTest.run("plan", "--model", "telechat2-115b", "--nodes", "64", "--tp", "32", "--pp", "2");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("kv heads (8) are not divisible by tp (32)");
        o = CliTest.run("plan", "--model", "telechat2-115b", "--cluster", "tpu");
        assertThat(o.err()).contains("known clusters: 910b");
        o = CliTest.run("plan", "--model", "gpt-5");
        assertThat(o.err()).contains("known models:");
        o = CliTest.run("plan", "--model", "tiny", "--precision", "fp16");
        assertThat(o.err()).contains("--precision: unknown 'fp16'; known: bf16, mixed16, fp32");
        o = CliTest.run("plan", "--model", "tiny", "--devices-per-node", "0");
        assertThat(o.err()).contains("--devices-per-node must be at least 1, got 0");
        int[] code = new int[1];
        String out = CliTest.stdout(() -> code[0] = Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "telechat2-115b",
                "--nodes", "1", "--global-batch", "8", "--search"));
        assertThat(code[0]).isEqualTo(1);
        assertThat(out).contains("No layout fits. The smallest, dp1 ").contains("GB usable,").contains(" over; the biggest part is");
    }

    @Test
    void recomputeAutoFitsTheBudgetAndWritesThePlanFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("plan.json");
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "telechat2-115b",
                "--cluster", "910b", "--nodes", "64", "--global-batch", "64", "--tp", "8", "--pp", "8", "--vpp", "3",
                "--recompute", "auto", "--memory-budget", "40", "--write-plan", file.toString())).isZero());
        assertThat(out).contains("rc=per-op").contains("Recompute plan (per layer and op, budget 40.0 GB per device, optimal)")
                .contains("recompute mlp-act-out").doesNotContain("over budget");
        wanka.train.plan.PlanFile f = wanka.train.plan.PlanFile.read(file);
        java.nio.file.Path html = dir.resolve("report.html");
        CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "telechat2-7b",
                "--cluster", "910b", "--global-batch", "64", "--seq", "4096", "--search", "--top", "2", "--html", html.toString())).isZero());
        assertThat(java.nio.file.Files.readString(html)).contains("<svg").contains("Frontier").contains("Pipeline timeline");
        assertThat(f.recompute()).isEqualTo("auto");
        assertThat(f.stages()).allMatch(s -> s.peakBytes() <= 40e9);
        CliTest.Outcome o = CliTest.run("plan", "--model", "telechat2-115b", "--recompute", "mlp-gelu");
        assertThat(o.err()).contains("unknown activation 'mlp-gelu'").contains("mlp-act-out");
    }

    @Test
    void calibrateWritesAClusterFileThatPlanAccepts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("cpu.json");
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "calibrate", "--threads", "1",
                "--seconds-per-probe", "0.05", "--out", file.toString())).isZero());
        assertThat(out).contains("GEMM NT").contains("copy bandwidth").contains("wrote " + file);
        out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "--model", "telechat2-3b",
                "--cluster", file.toString(), "--seq", "512", "--global-batch", "4", "--recompute", "none")).isZero());
        assertThat(out).contains("cpu-1t").contains("GFLOP/s 16-bit").contains("Step time:");
    }

    @Test
    void calibrateCheckReportsHeldOutAccuracy() {
        String out = CliTest.stdout(() -> assertThat(Main.run(new PrintWriter(new StringWriter()), "plan", "calibrate-check")).isZero());
        assertThat(out).contains("held out").contains("MAPE").contains("Spearman").contains("gpt-1008b");
    }
}
