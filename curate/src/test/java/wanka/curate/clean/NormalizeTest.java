package wanka.curate.clean;

import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NormalizeTest {
    private static Normalize step(Object... kv) {
        return Normalize.from(StepOptions.of("normalize", kv));
    }

    @Test
    void nfkcFoldsFullWidthAndCompatibilityForms() {
        assertThat(step().normalize("ＡＢＣ１２３　ｘ ﬁ ①")).isEqualTo("ABC123 x fi 1");
        assertThat(step("nfkc", false).normalize("ＡＢＣ")).isEqualTo("ＡＢＣ");
    }

    @Test
    void whitespaceIsCollapsedTrimmedAndBlankLinesCapped() {
        String in = "\n\n  first   line \u00a0 here  \r\n\r\n\r\n\r\nsecond\tline\n \t \n\nthird\n\n";
        assertThat(step().normalize(in)).isEqualTo("first line here\n\nsecond\tline\n\nthird");
        assertThat(step("max_blank_lines", 0).normalize(in)).isEqualTo("first line here\nsecond\tline\nthird");
    }

    @Test
    void controlAndFormatCharactersAreRemovedButNewlinesTabsAndJoinersKept() {
        assertThat(step().normalize("a\u0000b\u0007c\u200bd\u00ade\tf\ng\u200dh\ufeff")).isEqualTo("abcde\tf\ng\u200dh");
    }

    @Test
    void punctuationHalfMapsCjkAndTypographicMarksToAscii() {
        assertThat(step("punctuation", "half").normalize("你好，世界。“引号”「括号」…")).isEqualTo("你好,世界.\"引号\"\"括号\"...");
    }

    @Test
    void punctuationFullRestoresChinesePunctuationAfterNfkc() {
        assertThat(step("punctuation", "full").normalize("你好，世界！真的吗？（是）Version 3.14, ok."))
                .isEqualTo("你好，世界！真的吗？（是）Version 3.14, ok.");
        assertThat(step().normalize("你好，世界！")).isEqualTo("你好,世界!");
    }

    @Test
    void traditionalToSimplifiedUsesTheUnihanTable() {
        assertThat(step("t2s", true).normalize("國家發展後的頭髮")).isEqualTo("国家发展后的头发");
        assertThat(step().normalize("國家")).isEqualTo("國家");
    }

    @Test
    void unchangedDocumentIsPassedOnAsIsAndChangedOneIsACopy() {
        var n = step();
        var same = Texts.run(n, "clean text\n\nwith paragraphs.");
        assertThat(same.doc().text()).isEqualTo("clean text\n\nwith paragraphs.");
        assertThat(Texts.run(n, "  messy   text ").doc().text()).isEqualTo("messy text");
    }

    @Test
    void badOptionsNameTheStepAndOption() {
        assertThatThrownBy(() -> step("punctuation", "wide")).hasMessageContaining("'normalize'").hasMessageContaining("'punctuation'");
        assertThatThrownBy(() -> step("max_blank_lines", -1)).hasMessageContaining("max_blank_lines");
    }
}
