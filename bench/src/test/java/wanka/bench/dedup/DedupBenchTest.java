package wanka.bench.dedup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.dedup.MinHasher;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupBenchTest {

    @Test
    void findsGeneratedNearDuplicatesWithTenPercentEdits(@TempDir Path dir) throws Exception {
        List<String> texts = DedupBench.europarl(DedupBench.defaultEuroparlJar()).subList(0, 240);
        var docs = NearDupGenerator.generate(texts, new NearDupGenerator.Options(0.3, List.of(NearDupGenerator.Kind.EDIT, NearDupGenerator.Kind.REORDER,
                NearDupGenerator.Kind.BOILERPLATE, NearDupGenerator.Kind.TRUNCATE), 0.08, 0.12, 0.01, 0.05, 0.80, 0.95, 50, 3));
        DedupBench.Result r = DedupBench.run("test", docs, MinHasher.Params.words(2, 20, 5, 1), 3, 2, dir);
        System.out.println(r);
        assertThat(r.duplicates()).isGreaterThan(40);
        assertThat(r.recall()).isGreaterThanOrEqualTo(0.9);
        assertThat(r.precision()).isGreaterThanOrEqualTo(0.95);
        assertThat(r.recallByKind()).containsOnlyKeys("edit", "reorder", "boilerplate", "truncate");
    }

    @Test
    void configsParseAndErrorsNameTheOption() {
        assertThat(DedupBench.Config.parse("d:5:14:8").params()).isEqualTo(MinHasher.Params.DEFAULTS);
        assertThat(DedupBench.Config.parse("c:chars:6/3:20:5").params()).isEqualTo(MinHasher.Params.chars(6, 3, 20, 5, 1));
        assertThatThrownBy(() -> DedupBench.Config.parse("c:chars:5:20")).hasMessageContaining("--config c:chars:5:20");
        assertThatThrownBy(() -> DedupBench.Config.parse("c:letters:5:20:5")).hasMessageContaining("shingle");
        assertThatThrownBy(() -> DedupBench.Config.parse("c:words:5/2:20:5")).hasMessageContaining("chars");
        assertThatThrownBy(() -> DedupBench.Config.parse("c:chars:0:20:5")).hasMessageContaining("'ngram'");
    }
}
