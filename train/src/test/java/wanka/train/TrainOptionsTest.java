package wanka.train;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every numeric training option is checked where its value lives, and the message names the command-line option. */
class TrainOptionsTest {
    private static TrainOptions options(int batch, int seq, long steps, int accum, double lr, double minLr, long warmup, String schedule, double clip,
                                        double beta2, double weightDecay) {
        return new TrainOptions(batch, seq, steps, accum, lr, minLr, warmup, schedule, clip,
                new AdamWOptimizer.Settings(0.9, beta2, 1e-8, weightDecay), 1, 1, 0, Path.of("out"));
    }

    @Test
    void defaultsAreAccepted() {
        assertThatCode(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, 0.1)).doesNotThrowAnyException();
        // A constant schedule ignores --min-lr, so the default one may exceed a small --lr.
        assertThatCode(() -> options(8, 128, 1000, 1, 1e-5, 3e-5, 0, "constant", 1.0, 0.95, 0.1)).doesNotThrowAnyException();
    }

    @Test
    void minLrAboveLrWouldMakeTheRateClimb() {
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 1e-4, 1e-3, 0, "cosine", 1.0, 0.95, 0.1))
                .hasMessageContaining("--min-lr").hasMessageContaining("--lr");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 1e-4, -1e-5, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--min-lr");
    }

    @Test
    void eachOutOfRangeValueNamesItsOption() {
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, -1, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--warmup").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 0, -1, "constant", 1.0, 0.95, 0.1)).hasMessageContaining("--warmup");
        assertThatThrownBy(() -> options(0, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--batch");
        assertThatThrownBy(() -> options(8, 1, 1000, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--seq");
        assertThatThrownBy(() -> options(8, 128, 0, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--steps");
        assertThatThrownBy(() -> options(8, 128, 1000, 0, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--grad-accum");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 0, 0, 0, "cosine", 1.0, 0.95, 0.1)).hasMessageContaining("--lr");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, Double.NaN, 0, 0, "constant", 1.0, 0.95, 0.1)).hasMessageContaining("--lr");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", -1, 0.95, 0.1)).hasMessageContaining("--clip");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", Double.NaN, 0.95, 0.1)).hasMessageContaining("--clip");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 0.95, -0.1)).hasMessageContaining("--weight-decay");
        assertThatThrownBy(() -> options(8, 128, 1000, 1, 3e-4, 3e-5, 0, "cosine", 1.0, 1.0, 0.1)).hasMessageContaining("--beta2");
    }
}
