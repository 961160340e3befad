package wanka.data.mix;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.data.TokenShardWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DomainMixtureTest {

    /** Writes {@code <dir>/tokens/<name>/task-0.tokens} whose tokens all lie in [base, base+100). */
    private static void shard(Path dir, String name, int base, int n) throws IOException {
        Path d = Files.createDirectories(dir.resolve("tokens").resolve(name));
        try (TokenShardWriter w = new TokenShardWriter(d.resolve("task-0.tokens"), 1000, 999)) {
            int[] doc = new int[n];
            for (int i = 0; i < n; i++) doc[i] = base + i % 100;
            w.addDocument(doc);
        }
    }

    private static List<Domain> corpus(Path dir) throws IOException {
        shard(dir, "a", 0, 500);
        shard(dir, "b", 100, 2000);
        shard(dir, "c", 200, 800);
        return Domain.scan(dir.resolve("tokens"));
    }

    private static void close(List<Domain> ds) {
        ds.forEach(d -> d.shards().forEach(TokenShard::close));
    }

    @Test
    void rowsComeFromTheirDomainAndAreGroupedInDomainOrder(@TempDir Path dir) throws IOException {
        List<Domain> ds = corpus(dir);
        try {
            assertThat(ds).extracting(Domain::name).containsExactly("a", "b", "c");
            DomainMixture m = new DomainMixture(ds, 16, 8, 7, StaticWeights.uniform(3));
            MixedBatch mb = m.get(3, 1);
            for (int r = 0; r < 16; r++) {
                if (r > 0) assertThat(mb.rowDomain()[r]).isGreaterThanOrEqualTo(mb.rowDomain()[r - 1]);
                int base = 100 * mb.rowDomain()[r];
                for (int i = 0; i < 8; i++) {
                    assertThat(mb.batch().inputs()[r * 8 + i]).isBetween(base, base + 99);
                    assertThat(mb.batch().targets()[r * 8 + i]).isBetween(base, 999);
                }
            }
        } finally {
            close(ds);
        }
    }

    @Test
    void domainsAreSampledByTheirWeights(@TempDir Path dir) throws IOException {
        List<Domain> ds = corpus(dir);
        try {
            DomainMixture m = new DomainMixture(ds, 10, 4, 1, StaticWeights.of(0.6, 0.3, 0.1));
            int[] count = new int[3];
            for (int s = 0; s < 1000; s++) for (int d : m.get(s, 0).rowDomain()) count[d]++;
            assertThat(count[0] / 10000.0).isCloseTo(0.6, within(0.02));
            assertThat(count[1] / 10000.0).isCloseTo(0.3, within(0.02));
            assertThat(count[2] / 10000.0).isCloseTo(0.1, within(0.02));
            DomainMixture only = new DomainMixture(ds, 10, 4, 1, StaticWeights.of(0, 1, 0));
            assertThat(only.get(0, 0).rowDomain()).containsOnly(1);
            assertThat(StaticWeights.proportional(m.domainTokens()).weights()).containsExactly(new double[]{501 / 3303.0, 2001 / 3303.0, 801 / 3303.0}, within(1e-12));
        } finally {
            close(ds);
        }
    }

    @Test
    void batchesAreDeterministicAndResumeContinuesIdentically(@TempDir Path dir) throws IOException {
        List<Domain> ds = corpus(dir);
        ObjectMapper json = new ObjectMapper();
        try {
            double[][] losses = {{3, 2, 1}, {2.5, Double.NaN, 4}, {1, 1, 9}, {2, 2, 2}, {5, 1, 1}, {1, 6, 2}};
            DomainMixture full = new DomainMixture(ds, 12, 8, 42, OdmWeights.start(StaticWeights.uniform(3), 0));
            List<MixedBatch> seen = new ArrayList<>();
            String saved = null;
            for (int s = 0; s < losses.length; s++) {
                seen.add(full.get(s, 0));
                seen.add(full.get(s, 1));
                full.observe(s, losses[s]);
                if (s == 2) saved = json.writeValueAsString(full.mixing());
            }
            DomainMixture resumed = new DomainMixture(ds, 12, 8, 42, OdmWeights.start(StaticWeights.uniform(3), 0));
            resumed.restore(json.readValue(saved, MixingWeights.class));
            for (int s = 3; s < losses.length; s++) {
                for (int micro = 0; micro < 2; micro++) {
                    MixedBatch a = seen.get(2 * s + micro), b = resumed.get(s, micro);
                    assertThat(b.rowDomain()).containsExactly(a.rowDomain());
                    assertThat(b.batch().inputs()).containsExactly(a.batch().inputs());
                    assertThat(b.batch().targets()).containsExactly(a.batch().targets());
                }
                resumed.observe(s, losses[s]);
            }
            assertThat(resumed.mixing().weights()).containsExactly(full.mixing().weights());
            // Not restoring the weights gives different batches: the weights matter.
            DomainMixture fresh = new DomainMixture(ds, 12, 8, 42, StaticWeights.of(1, 0, 0));
            assertThat(fresh.get(3, 0).rowDomain()).isNotEqualTo(seen.get(6).rowDomain());
            assertThatThrownBy(() -> fresh.restore(StaticWeights.uniform(2))).hasMessageContaining("2 domains");
        } finally {
            close(ds);
        }
    }
}
