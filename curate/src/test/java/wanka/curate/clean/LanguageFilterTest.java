package wanka.curate.clean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepOptions;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageFilterTest {
    /** Hand-written labelled sentences (label, text). */
    private static final List<List<String>> LABELLED = List.of(
            List.of("en", "The committee will meet again next week to discuss the budget for the new school."),
            List.of("en", "I would like to thank the rapporteur for her excellent work on this difficult report."),
            List.of("en", "Rain is expected in the north of the country, while the south stays dry and warm."),
            List.of("de", "Der Ausschuss wird sich nächste Woche erneut treffen, um den Haushalt zu besprechen."),
            List.of("de", "Ich möchte der Berichterstatterin für ihre hervorragende Arbeit an diesem Bericht danken."),
            List.of("fr", "Le comité se réunira de nouveau la semaine prochaine pour discuter du budget."),
            List.of("fr", "Je voudrais remercier la rapporteuse pour son excellent travail sur ce rapport difficile."),
            List.of("es", "El comité volverá a reunirse la próxima semana para debatir el presupuesto de la escuela."),
            List.of("es", "Quisiera dar las gracias a la ponente por su excelente trabajo en este informe."),
            List.of("zh", "委员会将在下周再次开会，讨论新学校的预算问题。"),
            List.of("zh", "我要感谢报告员在这份困难的报告上所做的出色工作。"),
            List.of("zh", "预计北方将有降雨，而南方将保持干燥和温暖。"),
            List.of("zh", "開會"),
            List.of("ja", "委員会は来週もう一度会議を開き、新しい学校の予算について話し合います。"));

    private static LanguageFilter.Config cfg;
    private static LanguageFilter filter;

    @BeforeAll
    static void build() {
        cfg = LanguageFilter.config(StepOptions.of("language", "languages", Map.of("zh", 0.5, "en", 0.05), "model", "lingua",
                "candidates", List.of("en", "zh", "ja", "de", "fr", "es")));
        filter = new LanguageFilter(cfg.identifier(), cfg.thresholds());
    }

    @Test
    void identifiesTheLabelledSentences() {
        int correct = 0;
        for (var l : LABELLED) {
            var top = filter.identify(l.get(1));
            if (top != null && top.language().equals(l.get(0))) correct++;
        }
        assertThat((double) correct / LABELLED.size()).isGreaterThanOrEqualTo(13.0 / 14);
    }

    @Test
    void keepsListedLanguagesAboveThresholdAndTagsThem() {
        var out = Texts.run(filter, LABELLED.get(9).get(1));
        assertThat(out.doc().language()).isEqualTo("zh");
        assertThat(out.doc().metadata()).containsEntry("language_score", "1.0000"); // Han only: the script rule decides
        assertThat(Texts.run(filter, LABELLED.get(0).get(1)).doc().language()).isEqualTo("en");
    }

    @Test
    void dropsOtherLanguagesLowScoresAndTextWithoutLetters() {
        assertThat(Texts.dropReason(filter, LABELLED.get(3).get(1))).isEqualTo("language_de");
        // mixed English/French: English wins by a relative distance of about 0.12
        var strict = new LanguageFilter(cfg.identifier(), Map.of("en", 0.5));
        assertThat(Texts.dropReason(strict, "The committee meets on Monday, la réunion est ouverte.")).isEqualTo("language_low_score");
        assertThat(Texts.run(filter, "The committee meets on Monday, la réunion est ouverte.").doc().language()).isEqualTo("en");
        assertThat(Texts.dropReason(filter, "12345 !!! 678")).isEqualTo("language_unknown");
    }

    @Test
    void optionErrorsNameTheOption() {
        assertThatThrownBy(() -> LanguageFilter.config(StepOptions.of("language"))).hasMessageContaining("'languages'");
        assertThatThrownBy(() -> LanguageFilter.config(StepOptions.of("language", "languages", Map.of("xx", 0.5), "model", "lingua")).identifier())
                .hasMessageContaining("'languages'").hasMessageContaining("xx");
        assertThatThrownBy(() -> LanguageFilter.config(StepOptions.of("language", "languages", Map.of("en", 0.5), "candidates", List.of("en", "de"))))
                .hasMessageContaining("'model: lingua' only");
        assertThatThrownBy(() -> LanguageFilter.config(StepOptions.of("language", "languages", Map.of("en", 0.5), "model", "no/such/model.ftz")).identifier())
                .hasMessageContaining("no such fastText model file").hasMessageContaining("model.ftz");
        assertThatThrownBy(() -> LanguageFilter.config(StepOptions.of("language", "languages", Map.of("en", 2))))
                .hasMessageContaining("languages.en");
    }
}
