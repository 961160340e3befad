package wanka.bench.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolBenchTest {

    @Test
    void measuresBothPoolsOnEverySetting() {
        List<PoolBench.Result> rs = PoolBench.run(2, new double[]{0, 50}, 10, 60, 2);
        assertThat(rs).extracting(PoolBench.Result::impl).containsExactlyInAnyOrder("alone", "wanka", "forkjoin", "alone", "wanka", "forkjoin");
        for (PoolBench.Result r : rs) {
            assertThat(r.regions()).isEqualTo(2 * 54); // both rounds, the first tenth of each not counted
            assertThat(r.gapUs()).isEqualTo(10);
            assertThat(r.medianUs()).isLessThanOrEqualTo(r.p90Us());
            assertThat(r.p90Us()).isLessThanOrEqualTo(r.p99Us());
            assertThat(r.json()).startsWith("{\"impl\":\"" + r.impl() + "\",\"bench\":\"pool\",\"threads\":2,").endsWith("}").doesNotContain("\n");
        }
    }

    @Test
    void refusesBadOptionsNamingThem() {
        assertThatThrownBy(() -> PoolBench.main(new String[]{"--threads", "1"})).hasMessageContaining("--threads");
        assertThatThrownBy(() -> PoolBench.main(new String[]{"--work-us", "5,-1"})).hasMessageContaining("--work-us");
        assertThatThrownBy(() -> PoolBench.main(new String[]{"--regions"})).hasMessageContaining("--regions wants a value");
        assertThatThrownBy(() -> PoolBench.main(new String[]{"--bogus", "1"})).hasMessageContaining("unknown option --bogus");
    }
}
