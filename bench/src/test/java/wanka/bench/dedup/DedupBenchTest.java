package wanka.bench.dedup;

import org.junit.jupiter.api.Test;
import wanka.curate.dedup.MinHasher;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.corpus.Europarl;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupBenchTest {

    @Test
    void recommendedCharShinglesFindTheGeneratedNearDuplicates(@TempDir Path dir) throws Exception {
        // Every 30th text: a sample with Europarl's formulaic announcements ("The sitting is opened at 9.00") at their
        // natural rate, near but distinct, so that false merges show in the precision.
        List<String> all = Europarl.bodies(Europarl.localJar());
        List<String> texts = IntStream.range(0, all.size()).filter(i -> i % 30 == 0).mapToObj(all::get).toList();
        var docs = NearDupGenerator.generate(texts, NearDupGenerator.Options.BENCH);
        DedupBench.Result r = DedupBench.run("test", docs, MinHasher.Params.CHARS_DEFAULTS, 3, 2, dir);
        System.out.println(r);
        assertThat(r.duplicates()).isGreaterThan(150);
        assertThat(r.recallByKind()).containsOnlyKeys("edit", "reorder", "boilerplate", "truncate", "typos", "encoding", "drop_sentence");
        assertThat(r.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(r.precision()).isGreaterThanOrEqualTo(0.99);
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
