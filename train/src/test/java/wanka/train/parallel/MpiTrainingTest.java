package wanka.train.parallel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.PackedBatches;
import wanka.data.TokenShard;
import wanka.dist.ProcessGroup;
import wanka.dist.launch.Launch;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The parallel layouts with one rank per process under {@code mpirun} (Open MPI through FFM), against the
 * single-process losses, as {@link ParallelTrainingTest} checks them in-process. Skips, saying why, where Open
 * MPI is not installed.
 */
class MpiTrainingTest {
    @TempDir
    static Path dir;
    static Path shardFile;
    static List<Double> reference;
    static String classpath;

    @BeforeAll
    static void setUp() throws Exception {
        Launch.Plan probe = Launch.plan(2, "", List.of());
        assumeTrue(probe.mpi(), "Open MPI is not usable here, skipping the MPI training tests: " + probe.note());
        List<String> cp = new ArrayList<>();
        for (Class<?> c : List.of(ParallelTrainer.class, MpiTrainingMain.class, TeleChat2.class, Tensor.class, PackedBatches.class, ProcessGroup.class,
                ObjectMapper.class, JsonFactory.class, JsonInclude.class)) {
            String loc = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            if (!cp.contains(loc)) cp.add(loc);
        }
        classpath = String.join(File.pathSeparator, cp);
        shardFile = ParallelTrainingTest.writeShard(dir);
        try (TokenShard s = TokenShard.open(shardFile)) {
            reference = ParallelTrainingTest.referenceLosses(s, dir.resolve("single"));
        }
    }

    static List<Double> mpirun(int tp, int dp, int pp, int micro, String... options) throws Exception {
        int n = tp * dp * pp;
        Path out = dir.resolve("tp" + tp + "dp" + dp + "pp" + pp + "-" + System.nanoTime());
        List<String> args = new ArrayList<>(List.of(MpiTrainingMain.class.getName(), "" + tp, "" + dp, "" + pp, "" + micro, shardFile.toString(), out.toString()));
        args.addAll(List.of(options));
        Launch.Plan plan = Launch.plan(n, classpath, args);
        List<String> cmd = new ArrayList<>(plan.command());
        if (!cmd.contains("--oversubscribe")) cmd.add(1, "--oversubscribe");
        Process p = Launch.processBuilder(new Launch.Plan(cmd, plan.environment(), plan.note(), plan.mpi())).redirectErrorStream(true).start();
        byte[] bytes;
        try (var in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mpirun did not end");
        }
        String output = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        String line = output.lines().filter(l -> l.startsWith("losses: ")).findFirst().orElseThrow(() -> new AssertionError("no losses in: " + output));
        List<Double> losses = Arrays.stream(line.substring(8).split(",")).map(Double::parseDouble).toList();
        double dev = ParallelTrainingTest.maxDeviation(losses, reference);
        System.out.printf("mpirun tp%d dp%d pp%d %s: max relative loss deviation over %d steps: %.3e%n", tp, dp, pp, String.join(" ", options), losses.size(), dev);
        assertThat(dev).isLessThan(1e-4);
        return losses;
    }

    /**
     * A rank killed (SIGKILL) in the middle of a dp2 run: mpirun ends the job, exits non-zero naming the rank, and
     * no model is written.
     */
    @Test
    void aKilledRankEndsTheJob() throws Exception {
        Path out = dir.resolve("killed");
        Launch.Plan plan = Launch.plan(2, classpath, List.of(MpiTrainingMain.class.getName(), "1", "2", "1", "2", shardFile.toString(), out.toString()));
        List<String> cmd = new ArrayList<>(plan.command());
        if (!cmd.contains("--oversubscribe")) cmd.add(1, "--oversubscribe");
        Process p = Launch.processBuilder(new Launch.Plan(cmd, plan.environment(), plan.note(), plan.mpi())).redirectErrorStream(true).start();
        var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (var in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        Path log = out.resolve("ranks/rank-00001.jsonl"), pid = out.resolve("pids/rank-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(java.nio.file.Files.exists(pid) && java.nio.file.Files.exists(log) && java.nio.file.Files.size(log) > 0)) {
            assertThat(System.nanoTime()).as("rank 1 did not log a step: " + (p.isAlive() ? "" : output.join())).isLessThan(deadline);
            Thread.sleep(20);
        }
        long victim = Long.parseLong(java.nio.file.Files.readString(pid).strip());
        long t0 = System.nanoTime();
        new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mpirun ended after a rank was killed").isTrue();
        String text = output.join();
        System.out.printf("mpirun after kill -9 of rank 1: exit %d after %.1f s; %s%n", p.exitValue(), (System.nanoTime() - t0) / 1e9,
                text.lines().filter(l -> l.contains("rank 1")).findFirst().orElse("").strip());
        assertThat(p.exitValue()).as(text).isNotZero();
        assertThat(text).contains("rank 1").containsIgnoringCase("signal 9");
        assertThat(out.resolve("model")).doesNotExist();
    }

    @Test
    void dataParallel() throws Exception {
        mpirun(1, 2, 1, 2);
    }

    @Test
    void tensorParallel() throws Exception {
        mpirun(2, 1, 1, 4);
    }

    @Test
    void pipelineParallel() throws Exception {
        mpirun(1, 1, 2, 4);
    }

    @Test
    void tensorAndDataParallel() throws Exception {
        mpirun(2, 2, 1, 2);
    }

    /** Multi-replica with sequence parallelism across processes: the single-process losses, and a rerun bitwise equal. */
    @Test
    void multiReplicaWithSequenceParallel() throws Exception {
        List<Double> a = mpirun(2, 1, 1, 4, "sp", "replicas=2"), b = mpirun(2, 1, 1, 4, "sp", "replicas=2");
        assertThat(b).isEqualTo(a);
    }

    /**
     * Multi-replica and the recompute modes on tp2 × pp2 across processes: a plan recomputing the whole layer 0, the
     * attention core and MLP activation of layer 1, the MLP activation of layer 2 and nothing of layer 3, with replicas;
     * selective recompute with sequence parallelism and replicas.
     */
    @Test
    void multiReplicaAndRecomputeOnTensorAndPipelineParallel() throws Exception {
        var layout = new wanka.train.plan.PlanFile.LayoutEntry(1, 2, 2, 1, 4, 8, ParallelTrainingTest.SEQ, 0, false, 2, true,
                new wanka.train.plan.PlanFile.PrecisionEntry(4, 4, 8, 4));
        Path plan = wanka.train.plan.TestPlans.write(dir.resolve("plan.json"), layout, ParallelTrainingTest.CONFIG.numLayers(),
                java.util.Map.of(0, wanka.train.plan.TestPlans.WHOLE, 1, List.of("attn-scores", "mlp-fc1-out"), 2, List.of("mlp-fc1-out")));
        mpirun(2, 1, 2, 4, "replicas=2", "recompute=" + plan);
        mpirun(2, 1, 2, 4, "sp", "replicas=2", "recompute=selective");
    }
}
