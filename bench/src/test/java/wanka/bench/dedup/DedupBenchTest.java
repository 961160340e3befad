package wanka.curate.dedup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.bench.dedup.DedupBench;
import wanka.bench.dedup.NearDupGenerator;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DedupBenchTest {

    @Test
    void findsGeneratedNearDuplicatesWithTenPercentEdits(@TempDir Path dir) throws Exception {
        List<String> texts = DedupBench.europarl(DedupBench.defaultEuroparlJar()).subList(0, 240);
        var docs = NearDupGenerator.generate(texts, new NearDupGenerator.Options(0.3, 0.08, 0.12, 0.80, 0.95, 50, 3));
        assertThat(docs.size()).isBetween(280, 330);
        DedupBench.Result r = DedupBench.run("test", docs, MinHasher.Params.words(2, 20, 5, 1), 3, 2, dir);
        System.out.println(r);
        assertThat(r.duplicates()).isGreaterThan(40);
        assertThat(r.recall()).isGreaterThanOrEqualTo(0.9);
        assertThat(r.precision()).isGreaterThanOrEqualTo(0.95);
        assertThat(r.recallByKind()).containsKeys("edit", "reorder", "boilerplate", "truncate");
    }
}
