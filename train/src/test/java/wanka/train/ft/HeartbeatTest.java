package wanka.train.ft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Heartbeat files: the progress counter travels with every beat, also the in-step ones; a beat written without one reads as 0. */
class HeartbeatTest {
    @Test
    void beatsCarryTheProgressCounterAndOldBeatsReadAsZero(@TempDir Path out) throws Exception {
        Progress progress = new Progress();
        try (Beats beats = new Beats(out, 3, 7, Duration.ofMillis(50), progress)) {
            progress.tick();
            progress.tick();
            beats.stepDone(Heartbeat.now(3, 8, 12.5, 10, "ok"));
            assertThat(Heartbeat.readAll(out)).singleElement().satisfies(b -> {
                assertThat(b.step()).isEqualTo(8);
                assertThat(b.progress()).isEqualTo(2);
            });
            progress.tick(); // inside the next step: the beating thread reports it
            long deadline = System.currentTimeMillis() + 5000;
            while (Heartbeat.readAll(out).getFirst().progress() != 3 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(Heartbeat.readAll(out).getFirst()).satisfies(b -> {
                assertThat(b.progress()).isEqualTo(3);
                assertThat(b.step()).isEqualTo(8);
            });
        }
        Files.writeString(Heartbeat.file(out, 3), "{\"rank\":3,\"pid\":1,\"step\":4,\"stepMs\":5.0,\"health\":\"ok\",\"timeMs\":100}");
        assertThat(Heartbeat.readAll(out)).containsExactly(new Heartbeat(3, 1, 4, 5.0, 0, "ok", 100, 0, 0));
    }
}
