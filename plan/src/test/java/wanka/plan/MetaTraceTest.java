package wanka.plan;

import org.junit.jupiter.api.Test;
import wanka.model.Presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

/** The layer profile traced from the real TeleChat2 code on the META device agrees with the closed form. */
class MetaTraceTest {

    @Test
    void tracedFullWidth115bLayerEqualsTheClosedFormFlops() {
        long t0 = System.nanoTime();
        LayerProfile traced = MetaTrace.teleChat2Layer(Presets.get("telechat2-115b"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        LayerProfile closed = LayerProfile.closedForm(ModelPresets.get("telechat2-115b"));
        assertThat(traced.matmulPerToken()).isEqualTo(closed.matmulPerToken());
        assertThat(traced.attentionPerTokenSeq()).isCloseTo(closed.attentionPerTokenSeq(), withPercentage(1e-9));
        assertThat(traced.attentionPerToken()).isCloseTo(closed.attentionPerToken(), withPercentage(1e-9));
        assertThat(traced.attentionBackwardFactor()).isEqualTo(2.5);
        // Forward work at the training shape, by class: FLOPs exactly, memory traffic within 10 %.
        Work a = traced.forward(1, 8192, 8, true), b = closed.forward(1, 8192, 8, true);
        assertThat(a.flops()).isCloseTo(b.flops(), withPercentage(1e-9));
        assertThat(a.memoryBytes()).isCloseTo(b.memoryBytes(), withPercentage(10));
        assertThat(seconds).as("trace time").isLessThan(30);
    }
}
