package wanka.curate.clean;

import org.junit.jupiter.api.Test;
import wanka.curate.pipeline.StepRun;
import wanka.curate.pipeline.Document;

import static org.assertj.core.api.Assertions.assertThat;

class BoilerplateTest {
    private final Boilerplate b = Boilerplate.defaults();

    @Test
    void cleanParagraphIsPassedOnAsIs() throws Exception {
        try (StepRun run = new StepRun(b)) {
            Document d = new Document("d", Texts.CLEAN);
            assertThat(run.apply(d).doc()).isSameAs(d);
            Document zh = new Document("z", Texts.CLEAN_ZH);
            assertThat(run.apply(zh).doc()).isSameAs(zh);
        }
    }

    @Test
    void eachKindOfLineIsRecognised() {
        assertThat(b.kind("Home | News | Sport | Weather | Contact")).isEqualTo("nav");
        assertThat(b.kind("首页 > 新闻 > 国内")).isEqualTo("nav");
        assertThat(b.kind("Skip to content")).isEqualTo("nav");
        assertThat(b.kind("We use cookies to improve your experience. Accept all cookies")).isEqualTo("notice");
        assertThat(b.kind("© 2024 Example Ltd. All rights reserved.")).isEqualTo("notice");
        assertThat(b.kind("版权所有 © 2023 某某网")).isEqualTo("notice");
        assertThat(b.kind("https://example.com/a/b?c=d | www.example.org")).isEqualTo("url");
        assertThat(b.kind("<div class=\"nav\"><a href=\"/\">x</a></div>")).isEqualTo("code");
        assertThat(b.kind("var x = document.getElementById('a'); if (x) { x.hide(); }")).isEqualTo("code");
        assertThat(b.kind("She baked cookies and read about the history of Rome (in 3 volumes).")).isNull();
        assertThat(b.kind("See https://example.com for the full report on the harbour.")).isNull();
    }

    @Test
    void boilerplateLinesAreCutAndCounted() throws Exception {
        String doc = "Home | About | Blog | Contact\n" + Texts.CLEAN + "\n\nhttps://example.com/share\n© 2024 Example. All rights reserved.";
        try (StepRun run = new StepRun(b)) {
            assertThat(run.apply(new Document("d", doc)).doc().text()).isEqualTo(Texts.CLEAN);
            assertThat(run.stats().counters()).containsEntry("removed_nav", 1L).containsEntry("removed_url", 1L).containsEntry("removed_notice", 1L);
        }
    }

    @Test
    void documentOfOnlyBoilerplateIsDropped() {
        assertThat(Texts.dropReason(b, "Home | About | Contact\nRead more\n© 2024 Example")).isEqualTo("boilerplate_empty");
    }
}
