package wanka.train;

import org.junit.jupiter.api.Test;
import wanka.model.ParamRole;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdamWOptimizerTest {

    /** The name rule the optimizer used before parameters had roles. */
    private static boolean decayedByTheFormerNameRule(String name) {
        return name.endsWith(".weight") && !name.contains("layernorm") && !name.contains("ln_f");
    }

    @Test
    void weightDecayAppliesExactlyToTheMatricesAsBefore() {
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            TeleChat2 m = TeleChat2.initialize(TrainerTest.CONFIG, dev, 3);
            Map<String, float[]> before = new LinkedHashMap<>();
            m.parameters().forEach((name, p) -> {
                Arrays.fill(p.data(), p.offset(), p.offset() + (int) p.numel(), 0.5f); // biases start at 0: make every change visible
                p.setGrad(Tensor.zeros(dev, p.shape()));
                before.put(name, p.toArray());
            });
            // With zero gradients AdamW's update is 0, so only the decoupled decay p *= 1 - lr * wd moves a parameter.
            new AdamWOptimizer(m, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.1), dev).step(0.5);
            Set<String> decayed = new LinkedHashSet<>(), matrices = new LinkedHashSet<>(), former = new LinkedHashSet<>();
            m.parameters().forEach((name, p) -> {
                float[] now = p.toArray();
                if (!Arrays.equals(now, before.get(name))) {
                    decayed.add(name);
                    assertThat(now).as(name).containsOnly(0.5f * (float) (1 - 0.5 * 0.1));
                }
                if (p.shape().rank() == 2) matrices.add(name);
                if (decayedByTheFormerNameRule(name)) former.add(name);
            });
            assertThat(decayed).hasSize(2 + 6 * TrainerTest.CONFIG.numLayers()).isEqualTo(matrices).isEqualTo(former);
        }
    }

    @Test
    void aParameterWithoutARoleIsRefused() {
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            Tensor w = Tensor.zeros(dev, 2, 2);
            assertThatThrownBy(() -> new AdamWOptimizer(Map.of("w", w), Map.of("v", ParamRole.LINEAR_WEIGHT), AdamWOptimizer.Settings.telechat(), dev))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'w'");
        }
    }
}
