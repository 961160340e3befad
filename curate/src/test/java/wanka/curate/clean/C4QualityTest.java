package wanka.curate.clean;

import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepRun;
import wanka.curate.pipeline.Document;

import static org.assertj.core.api.Assertions.assertThat;

class C4QualityTest {
    private final C4Quality c4 = C4Quality.defaults();

    @Test
    void cleanParagraphPassesUnchanged() {
        var out = Texts.run(c4, Texts.CLEAN);
        assertThat(out.doc().text()).isEqualTo(Texts.CLEAN);
        assertThat(Texts.run(c4, Texts.CLEAN_ZH).doc().text()).isEqualTo(Texts.CLEAN_ZH);
    }

    @Test
    void documentRules() {
        assertThat(Texts.dropReason(c4, Texts.CLEAN + "\nLorem ipsum dolor sit amet, consectetur.")).isEqualTo("c4_lorem_ipsum");
        assertThat(Texts.dropReason(c4, Texts.CLEAN + "\nThe set {x | x > 0} is open.")).isEqualTo("c4_curly_bracket");
        assertThat(Texts.dropReason(c4, "Only one sentence is here.\nAnd a second one.")).isEqualTo("c4_too_few_sentences");
    }

    @Test
    void lineRulesRemoveOnlyTheirLines() throws Exception {
        String doc = String.join("\n",
                "Home page menu",                                         // no terminal punctuation
                "Too short.",                                             // fewer than 3 words
                "Please enable JavaScript to view the comments.",         // javascript
                "By using this site you agree to our privacy policy.",    // policy
                "A line with " + "x".repeat(1001) + " inside.",           // word over 1000 chars
                "It ends like this...",                                   // ellipsis
                Texts.CLEAN.replace("centuries.", "centuries.[1]"));       // citation removed
        try (StepRun run = new StepRun(c4)) {
            var out = run.apply(new Document("d", doc));
            assertThat(out.doc().text()).isEqualTo(Texts.CLEAN);
            assertThat(run.stats().counters()).containsEntry("line_filter_no_terminal_punc", 2L).containsEntry("line_filter_too_few_words", 1L)
                    .containsEntry("line_filter_javascript", 1L).containsEntry("line_filter_policy", 1L)
                    .containsEntry("line_filter_too_long_word", 1L);
        }
    }

    @Test
    void sentenceCounting() {
        assertThat(Punctuation.sentences("One. Two! Three? Four")).isEqualTo(3);
        assertThat(Punctuation.sentences("第一句。第二句！第三句？")).isEqualTo(3);
        assertThat(Punctuation.sentences("Version 3.14 is out.")).isEqualTo(1);
    }
}
