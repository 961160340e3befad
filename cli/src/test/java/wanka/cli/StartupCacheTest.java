package wanka.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ranks' startup caches: the JVM options of each kind, and mpirun starting java through {@code env} when there are
 * any (mpirun puts its working directory in front of a {@code java} program's class path, which no archive matches).
 * Making and mapping a real archive is measured by {@code wanka chaos} (it needs the fat jar: CDS archives classes from
 * jars only, and the test class path is directories).
 */
class StartupCacheTest {
    @Test
    void eachKindNamesItsFileAndNoneAddsNothing() {
        assertThat(StartupCache.NONE.jvmOptions()).isEmpty();
        assertThat(new StartupCache(StartupCache.Kind.APPCDS, Path.of("/c/a.jsa")).jvmOptions()).containsExactly("-XX:SharedArchiveFile=/c/a.jsa", "-Xshare:auto", "-Xlog:cds=off");
        assertThat(new StartupCache(StartupCache.Kind.AOT, Path.of("/c/a.aot")).jvmOptions()).containsExactly("-XX:AOTCache=/c/a.aot", "-Xlog:cds=off");
    }

    @Test
    void underMpirunJavaStartsThroughEnvOnlyWithACache() {
        var plain = LaunchCommand.plan(2, List.of("pretrain", "--dp", "2"), List.of());
        var cached = LaunchCommand.plan(2, List.of("pretrain", "--dp", "2"), List.of("-XX:AOTCache=/c/a.aot"));
        List<String> java = StartupCache.javaCommand(cached);
        assertThat(java.getFirst()).endsWith("/bin/java");
        assertThat(java).containsSubsequence("-XX:AOTCache=/c/a.aot", Main.class.getName(), "pretrain");
        if (cached.mpi()) {
            assertThat(cached.command().get(cached.command().size() - java.size() - 1)).isEqualTo("/usr/bin/env");
            assertThat(plain.command()).doesNotContain("/usr/bin/env");
        } else {
            assertThat(cached.command()).isEqualTo(java); // in-process: nothing in front
        }
    }

    @Test
    void theWarmUpRunsTheJobBrieflyWithEveryLevelMovedIntoItsOwnDirectory() {
        Path w = Path.of("/o/startup-cache/warmup");
        List<String> job = List.of("pretrain", "--dp", "2", "--data", "d.tokens", "--out", "/o", "--steps", "5000", "--resume", "auto", "--overwrite",
                "--memory-checkpoints", "/dev/shm/j/{host}", "--memory-peer-copies", "--memory-mirror", "/dev/shm/m",
                "--shared-checkpoints", "s3://bucket/run", "--s3-endpoint", "http://store:9000", "--s3-region", "x", "--async-checkpoints");
        assertThat(StartupCache.warmup(job, w, 2)).containsExactly("pretrain", "--dp", "2", "--data", "d.tokens",
                "--memory-checkpoints", "/o/startup-cache/warmup/memory/{host}", "--memory-peer-copies", "--memory-mirror", "/o/startup-cache/warmup/mirror",
                "--shared-checkpoints", "/o/startup-cache/warmup/shared", "--async-checkpoints",
                "--out", "/o/startup-cache/warmup/run", "--steps", "3", "--overwrite", "--simulated-hosts", "warmup0,warmup1");
        assertThat(StartupCache.warmup(List.of("pretrain", "--out", "/o"), w, 1)).containsExactly("pretrain", "--out", "/o/startup-cache/warmup/run", "--steps", "3", "--overwrite");
    }
}
