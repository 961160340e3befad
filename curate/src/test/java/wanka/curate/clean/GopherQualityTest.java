package wanka.curate.clean;

import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GopherQualityTest {
    private final GopherQuality g = GopherQuality.defaults();

    private static String repeatWords(String words, int times) {
        return String.join(" ", Collections.nCopies(times, words));
    }

    @Test
    void cleanParagraphsPass() {
        assertThat(g.check(Texts.CLEAN)).isNull();
        assertThat(g.check(Texts.CLEAN_ZH)).isNull();
        assertThat(Texts.run(g, Texts.CLEAN).kept()).isTrue();
    }

    @Test
    void shortAndLongDocuments() {
        assertThat(g.check("The cat sat on the mat with the dog.")).isEqualTo("gopher_short_doc");
        assertThat(g.check("今天的天气很好。")).isEqualTo("gopher_short_doc"); // 6 Han words
        assertThat(GopherQuality.from(StepOptions.of("gopher_quality", "max_doc_words", 60)).check(Texts.CLEAN)).isEqualTo("gopher_long_doc");
    }

    @Test
    void meanWordLength() {
        assertThat(g.check(repeatWords("I am to go by the ox and he is on it with me.", 6))).isEqualTo("gopher_below_avg_threshold");
        assertThat(g.check(repeatWords("the extraordinarily incomprehensible internationalisation and characteristically unprecedented", 12)))
                .isEqualTo("gopher_above_avg_threshold");
    }

    @Test
    void hashesAndEllipsesPerWord() {
        assertThat(g.check(Texts.CLEAN + "\n" + repeatWords("#tag", 15))).isEqualTo("gopher_too_many_hashes");
        assertThat(g.check(Texts.CLEAN.replace(",", "...") + " and... so... on... and... so... on... again...")).isEqualTo("gopher_too_many_ellipsis");
    }

    @Test
    void bulletAndEllipsisLines() {
        List<String> lines = new ArrayList<>();
        for (String s : Texts.CLEAN.split("\n")) lines.add("• " + s);
        assertThat(g.check(String.join("\n", lines))).isEqualTo("gopher_too_many_bullets");
        lines.clear();
        for (String s : Texts.CLEAN.split("\n")) lines.add(s.replace(".", "") + " and then…");
        assertThat(g.check(String.join("\n", lines))).isEqualTo("gopher_too_many_end_ellipsis");
    }

    @Test
    void alphabeticWordRatio() {
        assertThat(g.check(Texts.CLEAN + "\n" + repeatWords("1999 2000 2001 2002 2003", 8))).isEqualTo("gopher_below_alpha_threshold");
    }

    @Test
    void stopWords() {
        String noStop = repeatWords("Merchants brought salt grain wool by boat; they built stone warehouses near quay today.", 5);
        assertThat(g.check(noStop)).isEqualTo("gopher_enough_stop_words");
        // Chinese text without the Chinese stop words
        assertThat(g.check(repeatWords("春天来临，湖边樱花盛开，古老石桥倒映水中，游客络绎而至。", 4))).isEqualTo("gopher_enough_stop_words");
    }
}
