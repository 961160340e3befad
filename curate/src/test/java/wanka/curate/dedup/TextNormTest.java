package wanka.curate.dedup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextNormTest {

    @Test
    void lowercasesCollapsesSpaceDropsPunctuationAndDiacriticsMapsDigits() {
        assertThat(TextNorm.normalize("  Hello,   World!\tIt's 2024.\n")).isEqualTo("hello world its 0000");
        assertThat(TextNorm.normalize("Café «déjà» vu — Ærø")).isEqualTo("cafe deja vu ærø");
    }

    @Test
    void foldsFullWidthFormsAndKeepsHanAndHangul() {
        assertThat(TextNorm.normalize("ＡＢＣ１２３，中文。")).isEqualTo("abc000中文");
        assertThat(TextNorm.normalize("한국어 텍스트")).isEqualTo("한국어 텍스트");
    }

    @Test
    void textsThatDifferOnlyInCaseSpacingAndPunctuationCollide() {
        assertThat(Hashes.hash128(TextNorm.normalize("The Council, the Commission.")))
                .isEqualTo(Hashes.hash128(TextNorm.normalize("the  council the commission")))
                .isNotEqualTo(Hashes.hash128(TextNorm.normalize("the council the commissions")));
    }
}
