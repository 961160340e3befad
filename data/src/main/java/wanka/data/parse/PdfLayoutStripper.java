package wanka.data.parse;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PDFTextStripper} (sorted by position) that keeps the glyph geometry of each line: a line splits into cells
 * where the horizontal gap between glyphs exceeds {@link #CELL_GAP_EM} em, and consecutive lines with the same number
 * (at least two) of left-aligned cells become one Markdown table. Other lines are joined into paragraphs.
 * One instance per document (it collects state while stripping).
 */
final class PdfLayoutStripper extends PDFTextStripper {
    /** A gap wider than this (in multiples of the font size) separates table cells; word spaces are about 0.3 em. */
    static final float CELL_GAP_EM = 1.0f;
    /** Column starts within this many em count as aligned. */
    static final float ALIGN_EM = 0.6f;

    /** One cell of a line: its text and where it starts. */
    private record Cell(String text, float x) {
    }

    /** One text line; {@code paragraph} when it starts a new paragraph. */
    private record Line(List<Cell> cells, boolean paragraph, float em) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final List<TextPosition> glyphs = new ArrayList<>();
    private boolean newParagraph = true;

    PdfLayoutStripper() {
        setSortByPosition(true);
    }

    /** Strips {@code pdf} and returns its text with tables in Markdown. */
    String layout(PDDocument pdf) throws IOException {
        lines.clear();
        writeText(pdf, new StringWriter());
        flushLine();
        return render();
    }

    @Override
    protected void writeString(String text, List<TextPosition> textPositions) {
        glyphs.addAll(textPositions);
    }

    @Override
    protected void writeLineSeparator() {
        flushLine();
    }

    @Override
    protected void writeParagraphStart() {
        flushLine();
        newParagraph = true;
    }

    @Override
    protected void writeParagraphEnd() {
        flushLine();
    }

    @Override
    protected void writePageStart() {
        flushLine();
        newParagraph = true;
    }

    @Override
    protected void writePageEnd() {
        flushLine();
    }

    private void flushLine() {
        if (glyphs.isEmpty()) return;
        float em = (float) glyphs.stream().mapToDouble(TextPosition::getFontSizeInPt).max().orElse(10);
        if (em <= 0) em = 10;
        List<Cell> cells = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        float start = 0, end = Float.NaN;
        for (TextPosition g : glyphs) {
            String u = g.getUnicode();
            if (u == null || u.isBlank()) continue;
            float x = g.getXDirAdj();
            if (!Float.isNaN(end) && x - end > CELL_GAP_EM * em) {
                cells.add(new Cell(text.toString(), start));
                text.setLength(0);
            } else if (!Float.isNaN(end) && x - end > 0.15f * em) {
                text.append(' ');
            }
            if (text.isEmpty()) start = x;
            text.append(u);
            end = x + g.getWidthDirAdj();
        }
        if (!text.isEmpty()) cells.add(new Cell(text.toString(), start));
        glyphs.clear();
        if (!cells.isEmpty()) lines.add(new Line(cells, newParagraph, em));
        newParagraph = false;
    }

    private String render() {
        List<String> blocks = new ArrayList<>();
        StringBuilder para = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            int j = tableEnd(i);
            if (j - i >= 2) {
                if (!para.isEmpty()) blocks.add(para.toString());
                para.setLength(0);
                List<List<String>> rows = new ArrayList<>();
                for (int k = i; k < j; k++) rows.add(lines.get(k).cells().stream().map(Cell::text).toList());
                blocks.add(MarkdownTable.render(rows));
                i = j;
                continue;
            }
            Line line = lines.get(i++);
            if (line.paragraph() && !para.isEmpty()) {
                blocks.add(para.toString());
                para.setLength(0);
            }
            String text = String.join(" ", line.cells().stream().map(Cell::text).toList());
            if (!para.isEmpty()) para.append(para.charAt(para.length() - 1) == '-' ? "" : " ");
            para.append(text);
        }
        if (!para.isEmpty()) blocks.add(para.toString());
        return String.join("\n\n", blocks);
    }

    /** The end (exclusive) of the run of table rows aligned with line {@code i}; {@code i + 1} or less when none. */
    private int tableEnd(int i) {
        List<Cell> head = lines.get(i).cells();
        if (head.size() < 2) return i + 1;
        int j = i + 1;
        while (j < lines.size() && aligned(head, lines.get(j).cells(), lines.get(i).em())) j++;
        return j;
    }

    private static boolean aligned(List<Cell> a, List<Cell> b, float em) {
        if (a.size() != b.size()) return false;
        for (int c = 0; c < a.size(); c++) if (Math.abs(a.get(c).x() - b.get(c).x()) > ALIGN_EM * em) return false;
        return true;
    }
}
