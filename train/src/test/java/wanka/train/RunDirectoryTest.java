package wanka.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One run per output directory, and no new run over an earlier one's outputs by accident (issue 7). */
class RunDirectoryTest {
    private static final java.util.function.Consumer<String> QUIET = line -> {
    };

    /** Holds the run directory {@code args[0]} in a separate process until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            RunDirectory.open(Path.of(args[0]), RunDirectory.Start.FRESH, QUIET);
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    @Test
    void anotherProcessHoldingTheDirectoryIsNamedByItsPidAndItsDeathFreesIt(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), run.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("holding");
            assertThatThrownBy(() -> RunDirectory.open(run, RunDirectory.Start.RESUME, QUIET))
                    .hasMessageContaining(run.toString()).hasMessageContaining("in use").hasMessageContaining("PID " + holder.pid());
        } finally {
            holder.destroyForcibly(); // like a crash: nothing unlocks on the way out
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        RunDirectory.open(run, RunDirectory.Start.RESUME, QUIET).close();
    }

    @Test
    void aSecondRunInThisProcessIsRefusedUntilTheFirstCloses(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        try (RunDirectory first = RunDirectory.open(run, RunDirectory.Start.FRESH, QUIET)) {
            assertThat(first.path()).isEqualTo(run);
            // Also under another spelling of the same directory.
            assertThatThrownBy(() -> RunDirectory.open(dir.resolve("./run"), RunDirectory.Start.RESUME, QUIET))
                    .hasMessageContaining("in use").hasMessageContaining("PID " + ProcessHandle.current().pid());
            assertThat(Files.readString(run.resolve(".lock")).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
        RunDirectory.open(run, RunDirectory.Start.FRESH, QUIET).close();
    }

    @Test
    void anEarlierRunIsRefusedUnlessResumedOrOverwritten(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("checkpoints/step-00000002"));
        Files.createDirectories(run.resolve("tensorboard"));
        Files.createDirectories(run.resolve("data"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":1}\n");
        assertThatThrownBy(() -> RunDirectory.open(run, RunDirectory.Start.FRESH, QUIET))
                .hasMessageContaining("--out " + run + " already holds a run (metrics.jsonl, checkpoints)").hasMessageContaining("--resume").hasMessageContaining("--overwrite");
        RunDirectory.open(run, RunDirectory.Start.RESUME, QUIET).close();
        assertThat(run.resolve("metrics.jsonl")).exists();
        List<String> log = new ArrayList<>();
        RunDirectory.open(run, RunDirectory.Start.OVERWRITE, log::add).close();
        assertThat(log).containsExactly("overwriting the earlier run in " + run + ": removed metrics.jsonl, tensorboard, checkpoints");
        assertThat(run.resolve("metrics.jsonl")).doesNotExist();
        assertThat(run.resolve("checkpoints")).doesNotExist();
        assertThat(run.resolve("data")).as("inputs stay").exists();
        RunDirectory.open(run, RunDirectory.Start.FRESH, QUIET).close();
    }

    @Test
    void aFileIsNotARunDirectory(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("run"), "x");
        assertThatThrownBy(() -> RunDirectory.open(file, RunDirectory.Start.FRESH, QUIET)).hasMessage("--out " + file + " is a file, not a directory");
    }

    @Test
    void checkpointsAnEarlierRunLeftUnfinishedAreRemoved(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        Path partial = Files.createDirectories(run.resolve("checkpoints/step-00000004.partial"));
        Files.writeString(partial.resolve("model.safetensors"), "half");
        Files.createDirectories(run.resolve("checkpoints/step-00000002"));
        List<String> log = new ArrayList<>();
        RunDirectory.open(run, RunDirectory.Start.RESUME, log::add).close();
        assertThat(partial).doesNotExist();
        assertThat(run.resolve("checkpoints/step-00000002")).exists();
        assertThat(log).singleElement().asString().contains(partial.toString()).contains("unfinished");
    }
}
