package wanka.curate.clean;

import org.junit.jupiter.api.Test;

import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

class FineWebQualityTest {
    private final FineWebQuality f = FineWebQuality.defaults();

    @Test
    void cleanParagraphsPass() {
        assertThat(f.check(Texts.CLEAN)).isNull();
        assertThat(f.check(Texts.CLEAN_ZH)).isNull();
        assertThat(Texts.run(f, Texts.CLEAN).kept()).isTrue();
    }

    @Test
    void linePunctuationRatio() {
        assertThat(f.check(Texts.CLEAN.replace(".", ""))).isEqualTo("fineweb_line_punct_ratio");
    }

    @Test
    void shortLineRatio() {
        assertThat(f.check(Texts.CLEAN.split("\n")[0] + "\nYes.\nNo.\nMaybe so.\nOkay then.\nFine.\nGood.")).isEqualTo("fineweb_short_line_ratio");
    }

    @Test
    void duplicatedLineCharacters() {
        String[] l = Texts.CLEAN.split("\n");
        assertThat(f.check(Texts.CLEAN + "\n" + l[2])).isEqualTo("fineweb_char_dup_ratio");
    }

    @Test
    void newlinesPerWord() {
        StringJoiner j = new StringJoiner("\n");
        for (int i = 0; i < 20; i++) j.add("Supercalifragilistic" + Texts.word(i) + " notwithstanding.");
        assertThat(f.check(j.toString())).isEqualTo("fineweb_list_ratio");
    }
}
