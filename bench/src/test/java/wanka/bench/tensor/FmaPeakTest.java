package wanka.bench.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class FmaPeakTest {

    @Test
    void measuresThePreferredSpeciesAndPrintsOneJsonLine() {
        FmaPeak.Result r = FmaPeak.measure(0.02);
        assertThat(r.lanes()).isEqualTo(FloatVector.SPECIES_PREFERRED.length());
        assertThat(r.gflops()).isPositive().isFinite();
        assertThat(r.json()).startsWith("{\"impl\":\"wanka\",\"bench\":\"fma\",\"lanes\":" + r.lanes() + ",\"chains\":12,\"gflops\":")
                .endsWith("}").doesNotContain("\n");
    }

    @Test
    void refusesANonPositiveTime() {
        assertThatThrownBy(() -> FmaPeak.measure(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seconds");
    }
}
