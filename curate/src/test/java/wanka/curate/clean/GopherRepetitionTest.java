package wanka.curate.clean;

import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepOptions;

import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

class GopherRepetitionTest {
    private final GopherRepetition g = GopherRepetition.defaults();

    /** {@code n} unique words on one line. */
    private static String filler(int from, int n) {
        StringJoiner j = new StringJoiner(" ");
        for (int i = from; i < from + n; i++) j.add(Texts.word(i));
        return j.toString();
    }

    @Test
    void cleanParagraphsPass() {
        assertThat(g.check(Texts.CLEAN)).isNull();
        assertThat(g.check(Texts.CLEAN_ZH)).isNull();
    }

    @Test
    void duplicateParagraphs() {
        String p = filler(0, 5);
        assertThat(g.check(p + "\n\n" + filler(10, 5) + "\n\n" + p + "\n\n" + p)).isEqualTo("gopher_dup_para_frac");
        String big = filler(100, 60);
        String doc = String.join("\n\n", filler(0, 5), big, filler(10, 5), filler(20, 5), big);
        assertThat(g.check(doc)).isEqualTo("gopher_dup_para_char_frac");
    }

    @Test
    void duplicateLines() {
        String l = filler(0, 4);
        assertThat(g.check(String.join("\n", l, filler(10, 4), l, filler(20, 4), l))).isEqualTo("gopher_dup_line_frac");
        String big = filler(100, 60);
        assertThat(g.check(String.join("\n", filler(0, 5), big, filler(10, 5), filler(20, 5), big))).isEqualTo("gopher_dup_line_char_frac");
    }

    @Test
    void topNGrams() {
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < 30; i++) j.add(Texts.word(i)).add("new york");
        assertThat(g.check(j.toString())).isEqualTo("gopher_top_2_gram");
        j = new StringJoiner(" ");
        for (int i = 0; i < 30; i++) j.add(Texts.word(i) + " " + Texts.word(i + 100) + " " + Texts.word(i + 200)).add("big apple city");
        var only3 = GopherRepetition.from(StepOptions.of("gopher_repetition", "top_n_grams", Map.of("3", 0.18), "dup_n_grams", Map.of()));
        assertThat(only3.check(j.toString())).isEqualTo("gopher_top_3_gram");
    }

    @Test
    void duplicatedNGrams() {
        String sentence = "the quick brown fox jumps over the lazy dog again";
        String doc = filler(0, 40) + " " + sentence + " " + filler(50, 20) + " " + sentence + " " + filler(80, 20) + " " + sentence;
        var noTop = GopherRepetition.from(StepOptions.of("gopher_repetition", "top_n_grams", Map.of()));
        assertThat(noTop.check(doc)).isEqualTo("gopher_duplicated_5_n_grams");
        var only10 = GopherRepetition.from(StepOptions.of("gopher_repetition", "top_n_grams", Map.of(), "dup_n_grams", Map.of("10", 0.10)));
        assertThat(only10.check(doc)).isEqualTo("gopher_duplicated_10_n_grams");
        assertThat(only10.check(filler(0, 200))).isNull();
    }

    @Test
    void dropReasonReachesTheReport() {
        String p = filler(0, 5);
        assertThat(Texts.dropReason(g, p + "\n\n" + p + "\n\n" + p)).isEqualTo("gopher_dup_para_frac");
    }
}
