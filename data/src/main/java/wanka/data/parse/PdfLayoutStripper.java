package wanka.data.parse;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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

    /** One text line; {@code paragraph} when it starts a new paragraph; {@code page} counts from 1. */
    private record Line(List<Cell> cells, boolean paragraph, float em, int page, float y) {
        String text() {
            return String.join(" ", cells.stream().map(Cell::text).toList());
        }
    }

    /** Lines this close to a page's top or bottom (in lines) are candidates for running headers/footers. */
    static final int EDGE_LINES = 1;
    /** A header/footer candidate recurring (digits ignored) on at least this many pages is dropped. */
    static final int RUNNING_PAGES = 3;

    private final List<Line> lines = new ArrayList<>();
    private final List<TextPosition> glyphs = new ArrayList<>();
    private boolean newParagraph = true;
    private int page;

    PdfLayoutStripper() {
        setSortByPosition(true);
    }

    /** Strips {@code pdf} and returns its text with tables in Markdown. */
    String layout(PDDocument pdf) throws IOException {
        lines.clear();
        page = 0;
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
        page++;
        newParagraph = true;
    }

    @Override
    protected void writePageEnd() {
        flushLine();
    }

    private void flushLine() {
        if (glyphs.isEmpty()) return;
        float y = glyphs.getFirst().getYDirAdj();
        float em = (float) glyphs.stream().mapToDouble(TextPosition::getFontSizeInPt).max().orElse(10);
        if (em <= 0) em = 10;
        List<Cell> cells = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        float start = 0, end = Float.NaN;
        for (TextPosition g : glyphs) {
            String u = g.getUnicode();
            if (u != null) u = CONTROL.matcher(u).replaceAll(""); // unmapped glyphs of some fonts come out as C0 controls
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
        if (!cells.isEmpty()) lines.add(new Line(cells, newParagraph, em, page, y));
        newParagraph = false;
    }

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /**
     * Drops running headers and footers: among the first and last {@link #EDGE_LINES} lines of each page, those whose text
     * (digit runs counted as equal, so page numbers match) recurs at the same height on at least {@link #RUNNING_PAGES}
     * pages, or on two when it has no letters (bare page numbers).
     */
    private void dropRunningLines() {
        Map<Integer, List<Integer>> byPage = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) byPage.computeIfAbsent(lines.get(i).page(), k -> new ArrayList<>()).add(i);
        if (byPage.size() < 2) return;
        Map<String, Set<Integer>> pagesOf = new HashMap<>();
        Map<Integer, String> edge = new HashMap<>();
        for (List<Integer> idx : byPage.values()) {
            for (int k = 0; k < idx.size(); k++) {
                if (k >= EDGE_LINES && k < idx.size() - EDGE_LINES) continue;
                Line l = lines.get(idx.get(k));
                String key = DIGITS.matcher(l.text()).replaceAll("#").strip() + "@" + Math.round(l.y() / 4);
                edge.put(idx.get(k), key);
                pagesOf.computeIfAbsent(key, x -> new HashSet<>()).add(l.page());
            }
        }
        List<Line> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String key = edge.get(i);
            if (key != null) {
                int n = pagesOf.get(key).size();
                boolean letters = key.substring(0, key.lastIndexOf('@')).codePoints().anyMatch(Character::isLetter);
                if (n >= RUNNING_PAGES || (!letters && n >= 2)) {
                    Line l = lines.get(i);
                    if (l.paragraph() && i + 1 < lines.size() && lines.get(i + 1).page() == l.page()) {
                        Line next = lines.get(i + 1);
                        lines.set(i + 1, new Line(next.cells(), true, next.em(), next.page(), next.y()));
                    }
                    continue;
                }
            }
            kept.add(lines.get(i));
        }
        lines.clear();
        lines.addAll(kept);
    }

    /** Whether {@code c} is a CJK ideograph, kana or full-width punctuation: lines ending and starting with one join without a space. */
    private static boolean cjk(int c) {
        Character.UnicodeScript sc = Character.UnicodeScript.of(c);
        return sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA || sc == Character.UnicodeScript.KATAKANA
                || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
    }

    /** Whether line {@code next} continues paragraph {@code para} without a space: after a hyphen, or between CJK characters. */
    static boolean joinsTight(CharSequence para, String next) {
        int last = Character.codePointBefore(para, para.length());
        return last == '-' || (cjk(last) && !next.isEmpty() && cjk(next.codePointAt(0)));
    }

    private String render() {
        dropRunningLines();
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
            String text = line.text();
            if (!para.isEmpty() && !joinsTight(para, text)) para.append(' ');
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
