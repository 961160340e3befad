package wanka.curate.parse;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table rules of {@link PdfLayoutStripper} on lines built by hand: 10 pt text, a character is 5 pt wide. */
class PdfTableRulesTest {
    private static final float EM = 10;

    /** A cell of {@code text} starting at {@code x}. */
    private static PdfLayoutStripper.Cell cell(String text, float x) {
        return new PdfLayoutStripper.Cell(text, x, x + 5 * text.length());
    }

    /** A cell of {@code text} ending at {@code end} (right-aligned). */
    private static PdfLayoutStripper.Cell right(String text, float end) {
        return new PdfLayoutStripper.Cell(text, end - 5 * text.length(), end);
    }

    private static PdfLayoutStripper.Line line(float em, PdfLayoutStripper.Cell... cells) {
        return new PdfLayoutStripper.Line(List.of(cells), false, em, 1, 0);
    }

    private static List<PdfLayoutStripper.Line> lines(PdfLayoutStripper.Line... l) {
        return new ArrayList<>(List.of(l));
    }

    @Test
    void alignedRowsMakeATable() {
        var l = lines(line(EM, cell("Name", 72), cell("Qty", 192)), line(EM, cell("apple", 72), cell("3", 192)),
                line(EM, cell("pear", 72), cell("10", 192)));
        assertEquals(List.of(List.of("Name", "Qty"), List.of("apple", "3"), List.of("pear", "10")), PdfLayoutStripper.tableAt(l, 0));
    }

    @Test
    void twoRowsAreNotATable() {
        var l = lines(line(EM, cell("Name", 72), cell("Qty", 192)), line(EM, cell("apple", 72), cell("3", 192)));
        assertNull(PdfLayoutStripper.tableAt(l, 0));
    }

    @Test
    void rightAlignedNumbersStayInTheirColumn() {
        var l = lines(line(EM, cell("x", 72), right("Estimate", 250)), line(EM, cell("a", 72), right("1.5", 250)),
                line(EM, cell("b", 72), right("-1234.25", 250)));
        assertEquals(3, PdfLayoutStripper.tableAt(l, 0).size());
    }

    @Test
    void headerOverRowLabelsGetsAnEmptyFirstCell() {
        var l = lines(line(EM, right("Df", 150), right("Sum Sq", 220)),
                line(EM, cell("sex", 72), right("1", 150), right("75.37", 220)),
                line(EM, cell("ethnicty", 72), right("3", 150), right("2572.15", 220)),
                line(EM, cell("Residuals", 72), right("93", 150)));
        assertEquals(List.of(List.of("", "Df", "Sum Sq"), List.of("sex", "1", "75.37"), List.of("ethnicty", "3", "2572.15"),
                List.of("Residuals", "93", "")), PdfLayoutStripper.tableAt(l, 0));
    }

    @Test
    void contentsLinesWithDotLeadersAreNotRows() {
        var l = lines(line(EM, cell("1.1", 72), cell("Introduction . . . . . . . .", 100), cell("3", 400)),
                line(EM, cell("1.2", 72), cell("Basics . . . . . . . . . . .", 100), cell("5", 400)),
                line(EM, cell("1.3", 72), cell("More . . . . . . . . . . . .", 100), cell("9", 400)));
        assertFalse(PdfLayoutStripper.tableRow(l.getFirst().cells()));
        assertNull(PdfLayoutStripper.tableAt(l, 0));
    }

    @Test
    void numberedHeadingsAndIndexEntriesAreNotRows() {
        assertFalse(PdfLayoutStripper.tableRow(List.of(cell("3.1", 72), cell("Tables", 100))));
        assertFalse(PdfLayoutStripper.tableRow(List.of(cell("4.2.7", 72), cell("Big operators", 100), cell("43", 400))));
        assertFalse(PdfLayoutStripper.tableRow(List.of(cell("表格, 27–32", 72), cell("\\item, 23, 41", 300))));
        assertTrue(PdfLayoutStripper.tableRow(List.of(cell("3.1", 72), cell("2.5", 100))));   // numbers are data
        assertFalse(PdfLayoutStripper.tableRow(List.of(cell("⎜ n_{G}", 72), cell("⎟", 200))));   // pieces of a tall bracket
        assertTrue(PdfLayoutStripper.tableRow(List.of(cell("apple", 72), cell("3", 192))));
        assertFalse(PdfLayoutStripper.tableRow(List.of(cell("one cell only", 72))));
    }

    @Test
    void aLineInAnotherFontSizeEndsTheTable() {
        var l = lines(line(14, cell("Heading", 72), cell("Text", 192)), line(EM, cell("apple", 72), cell("3", 192)),
                line(EM, cell("pear", 72), cell("10", 192)), line(EM, cell("plum", 72), cell("7", 192)));
        assertNull(PdfLayoutStripper.tableAt(l, 0));
        assertEquals(3, PdfLayoutStripper.tableAt(l, 1).size());
    }

    @Test
    void misalignedCellsEndTheTable() {
        var l = lines(line(EM, cell("a", 72), cell("b", 192)), line(EM, cell("c", 72), cell("d", 192)),
                line(EM, cell("e", 72), cell("f", 192)), line(EM, cell("g", 72), cell("h", 300)));
        assertEquals(3, PdfLayoutStripper.tableAt(l, 0).size());
    }
}
