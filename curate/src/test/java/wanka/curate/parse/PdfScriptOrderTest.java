package wanka.curate.parse;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sub/superscript reading order of {@link PdfLayoutStripper} on synthetic glyph positions (baselines grow downwards). */
class PdfScriptOrderTest {
    private static PdfLayoutStripper.Glyph g(String text, float x, float width, float y, float size, boolean math) {
        return new PdfLayoutStripper.Glyph(text, x, x + width, y, size, math, false);
    }

    private static List<String> texts(List<PdfLayoutStripper.Glyph> line) {
        return PdfLayoutStripper.units(line).stream().map(PdfLayoutStripper.Unit::text).toList();
    }

    @Test
    void stackedScriptsFollowTheirBaseSubscriptFirst() {
        // x_i^\top β as TeX sets it: superscript and subscript start at the base's end, the superscript a hair further right;
        // PDFBox hands them over superscript first
        var line = List.of(g("x", 100, 6, 358, 10, true), g("⊤", 106.1f, 6.6f, 353, 7, true), g("i", 106, 2.9f, 360.3f, 7, true),
                g("β", 114, 6.2f, 358, 10, true));
        assertEquals(List.of("x", "_{i}^{⊤}", "β"), texts(line));
        // the same with the subscript a hair right of the superscript: the order must not depend on it
        var swapped = List.of(g("x", 100, 6, 358, 10, true), g("i", 106.2f, 2.9f, 360.3f, 7, true), g("⊤", 106, 6.6f, 353, 7, true),
                g("β", 114, 6.2f, 358, 10, true));
        assertEquals(List.of("x", "_{i}^{⊤}", "β"), texts(swapped));
    }

    @Test
    void multiGlyphScriptsStayTogether() {
        // n^{-1} X: the exponent's two glyphs form one superscript
        var line = List.of(g("n", 100, 6, 672, 10, true), g("−", 106.2f, 6.2f, 668, 7, true), g("1", 112.5f, 4, 668, 7, false),
                g("X", 117, 9, 672, 10, true));
        assertEquals(List.of("n", "^{−1}", "X"), texts(line));
    }

    @Test
    void proseScriptsStayPlainAndInOrder() {
        // a footnote mark after a word in a text font, then a lowered index (\textsubscript) after "H"
        var line = List.of(g("w", 100, 7, 400, 10, false), g("o", 107, 5, 400, 10, false), g("r", 112, 4, 400, 10, false),
                g("d", 116, 6, 400, 10, false), g("1", 122.2f, 4, 396, 7, false), g("H", 130, 8, 400, 10, false),
                g("2", 138, 4, 401.5f, 7, false), g("O", 143, 8, 400, 10, false));
        assertEquals("word1H2O", String.join("", texts(line)));
    }

    @Test
    void scriptSizedRunAfterASpaceReadsTopToBottom() {
        // "= a/b" as an inline fraction: numerator raised, denominator lowered, both starting at the same x after a space
        var line = List.of(g("y", 86, 5, 500, 10, true), g("=", 100, 8, 500, 10, false), g("b", 112, 4, 503, 7, true),
                g("a", 112, 4, 496, 7, true), g("+", 120, 8, 500, 10, false));
        assertEquals(List.of("y", "=", "ab", "+"), texts(line));
    }

    @Test
    void scriptSizedTextOnTheBaselineIsNotAScript() {
        var line = List.of(g("A", 100, 7, 300, 10, true), g("b", 107.2f, 4, 300.3f, 7, true), g("C", 112, 7, 300, 10, true));
        assertEquals(List.of("A", "b", "C"), texts(line));
    }

    @Test
    void aSplitOffSubscriptLineJoinsItsLine() {
        var head = List.of(g("y", 210, 5, 358, 10, true), g("=", 232, 8, 358, 10, false), g("x", 255, 6, 358, 10, true),
                g("⊤", 261, 6.6f, 353, 7, true));
        var rest = List.of(g("i", 261, 2.9f, 360.3f, 7, true), g("β", 268, 6.2f, 358, 10, true), g("+", 280, 8, 358, 10, false));
        assertTrue(PdfLayoutStripper.sameLine(head, rest));
        assertTrue(PdfLayoutStripper.sameLine(head, List.of(g("i", 261, 2.9f, 360.3f, 7, true))));
        var next = List.of(g("w", 81, 7, 371.5f, 10, false), g("i", 88, 3, 371.5f, 10, false));
        assertFalse(PdfLayoutStripper.sameLine(head, next));
        assertFalse(PdfLayoutStripper.sameLine(List.of(g("s", 81, 4, 380, 7, false), g("m", 85, 6, 380, 7, false)), next),
                "a footnote-size line under a text line");
    }

    @Test
    void aSubscriptFiledWithTheNextLineMovesBack() {
        // "σ̂² = Σ û_i²" where PDFBox put the subscript i into the following text line
        var eq = new java.util.ArrayList<>(List.of(g("σ", 220, 6, 133, 10, true), g("2", 227, 4, 129, 7, false), g("=", 236, 8, 133, 10, false),
                g("û", 325, 6, 133, 10, true), g("2", 331, 4, 129, 7, false)));
        var next = new java.util.ArrayList<>(List.of(g("i", 331, 2.9f, 136, 7, true), g("B", 340, 7, 146.5f, 10, false),
                g("u", 347, 6, 146.5f, 10, false), g("t", 353, 4, 146.5f, 10, false)));
        assertFalse(PdfLayoutStripper.sameLine(eq, next));
        PdfLayoutStripper.moveScripts(next, eq);
        assertEquals(3, next.size());
        assertEquals(List.of("σ", "^{2}", "=", "û", "_{i}^{2}"), texts(eq));
    }

    @Test
    void bigDelimitersHangingOverAFormulaJoinIt() {
        // \left( X^\top X \right)^{-1} X^\top y: the cmex parentheses sit on a baseline above the formula's, with the -1
        var parens = List.of(new PdfLayoutStripper.Glyph("(", 224, 228, 482, 9, true, true), new PdfLayoutStripper.Glyph(")", 257, 262, 482, 9, true, true),
                g("−", 262, 6, 485, 7, true), g("1", 269, 4, 485, 7, false));
        var formula = List.of(g("β", 190, 5.5f, 494, 10, true), g("=", 205, 8.5f, 494, 10, false), g("X", 230, 9, 494, 10, true),
                g("⊤", 240, 6.6f, 489, 7, true), g("X", 247, 9, 494, 10, true), g("X", 276, 9, 494, 10, true), g("y", 293, 5.4f, 494, 10, true));
        assertTrue(PdfLayoutStripper.sameLine(parens, formula));
        var joined = new java.util.ArrayList<>(parens);
        joined.addAll(formula);
        assertEquals("β=(X^{⊤}X)−1Xy", String.join("", texts(joined)));
        // a row of big operators in a table with nothing of the next row to their left is no such line
        var row = List.of(new PdfLayoutStripper.Glyph("∑", 100, 110, 300, 10, true, true));
        var next = List.of(g("∏", 100, 10, 312, 10, true), g("s", 140, 4, 312, 10, false), g("u", 144, 5, 312, 10, false));
        assertFalse(PdfLayoutStripper.sameLine(row, next));
    }
}
