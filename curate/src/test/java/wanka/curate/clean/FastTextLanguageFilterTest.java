package wanka.curate.clean;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.curate.clean.fasttext.Multilingual;
import wanka.curate.corpus.CacheDir;
import wanka.curate.pipeline.StepOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code language} step with fastText's lid.176 (skipped, saying so, until {@code wanka corpus fetch lid176} has run). */
public class FastTextLanguageFilterTest {
    static Path model;

    /** The checkout's cache when tests run from a module folder, else the user cache. */
    public static Path lid176() {
        Path checkout = LanguageFilter.lid176(Path.of("..", ".wanka"));
        return Files.isRegularFile(checkout) ? checkout : LanguageFilter.lid176(CacheDir.get());
    }

    @BeforeAll
    static void find() {
        model = lid176();
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " is absent (run `bin/wanka corpus fetch lid176`); skipping the lid.176 language-step tests");
    }

    static LanguageFilter filter(Map<String, Double> langs) {
        LanguageFilter.Config c = LanguageFilter.config(StepOptions.of("language", "languages", langs, "model", model.toString()));
        return new LanguageFilter(c.identifier(), c.thresholds());
    }

    @Test
    void identifiesTheMultilingualLines() {
        LanguageFilter f = filter(Map.of("en", 0.0));
        int correct = 0;
        for (int i = 0; i < Multilingual.LINES.size(); i++) {
            var top = f.identify(Multilingual.LINES.get(i));
            if (top != null && top.language().equals(Multilingual.LABELS.get(i))) correct++;
        }
        assertThat(correct).as("correct of %d", Multilingual.LINES.size()).isGreaterThanOrEqualTo(Multilingual.LINES.size() - 1);
    }

    @Test
    void keepsTagsAndDropsWithReasons() {
        LanguageFilter f = filter(Map.of("zh", 0.65, "en", 0.65));
        var zh = Texts.run(f, "委员会将在下周再次开会，讨论新学校的预算问题。");
        assertThat(zh.doc().language()).isEqualTo("zh");
        assertThat(Double.parseDouble(zh.doc().metadata().get("language_score"))).isBetween(0.65, 1.0);
        assertThat(Texts.run(f, "The committee will meet again next week to discuss the budget.").doc().language()).isEqualTo("en");
        assertThat(Texts.dropReason(f, "Der Ausschuss wird sich nächste Woche erneut treffen, um den Haushalt zu besprechen.")).isEqualTo("language_de");
        assertThat(Texts.dropReason(f, "12345 !!! 678")).isEqualTo("language_unknown");
        assertThat(Texts.dropReason(filter(Map.of("en", 0.999)), "ok la réunion is open")).isEqualTo("language_low_score");
    }

    @Test
    void unknownCodesNameTheModelsLanguages() {
        assertThatThrownBy(() -> filter(Map.of("xx", 0.5))).hasMessageContaining("[xx]").hasMessageContaining("lid.176.ftz");
    }
}
