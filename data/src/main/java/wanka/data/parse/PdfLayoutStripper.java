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
 * where the horizontal gap between glyphs exceeds {@link #CELL_GAP_EM} em, and at least {@link #MIN_ROWS} consecutive
 * lines of the same font size with the same number (at least two) of column-aligned cells become one Markdown table
 * ({@link #tableAt}). Other lines are joined into paragraphs. One instance per document (it collects state while
 * stripping).
 */
final class PdfLayoutStripper extends PDFTextStripper {
    /** A gap wider than this (in multiples of the font size) separates table cells; word spaces are about 0.3 em. */
    static final float CELL_GAP_EM = 1.0f;
    /** Cells whose left edges, right edges or centres lie within this many em count as one column. */
    static final float ALIGN_EM = 0.6f;
    /** Fewest lines (header included) that make a table; two aligned lines are as often a heading or a label pair. */
    static final int MIN_ROWS = 3;
    /** Rows of one table differ in font size by at most this fraction. */
    static final float SIZE_TOLERANCE = 0.15f;

    /** One cell of a line: its text, where it starts and where it ends. */
    record Cell(String text, float x, float end) {
        float mid() {
            return (x + end) / 2;
        }
    }

    /** One text line; {@code paragraph} when it starts a new paragraph; {@code page} counts from 1. */
    record Line(List<Cell> cells, boolean paragraph, float em, int page, float y) {
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

    /** Glyphs of TeX math fonts get their Unicode from the font's fixed encoding when the PDF's is unusable ({@link TexMathEncoding}). */
    @Override
    protected void processTextPosition(TextPosition text) {
        super.processTextPosition(TexMathEncoding.remap(text));
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
        float start = 0, end = Float.NaN, cellEnd = 0;
        for (TextPosition g : glyphs) {
            String u = g.getUnicode();
            if (u != null) u = CONTROL.matcher(u).replaceAll(""); // unmapped glyphs of some fonts come out as C0 controls
            if (u == null || u.isBlank()) continue;
            float x = g.getXDirAdj();
            if (!Float.isNaN(end) && x - end > CELL_GAP_EM * em) {
                cells.add(new Cell(text.toString(), start, cellEnd));
                text.setLength(0);
            } else if (!Float.isNaN(end) && x - end > 0.15f * em) {
                text.append(' ');
            }
            if (text.isEmpty()) start = x;
            text.append(u);
            end = x + g.getWidthDirAdj();
            cellEnd = end;
        }
        if (!text.isEmpty()) cells.add(new Cell(text.toString(), start, cellEnd));
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
            List<List<String>> rows = tableAt(lines, i);
            if (rows != null) {
                if (!para.isEmpty()) blocks.add(para.toString());
                para.setLength(0);
                blocks.add(MarkdownTable.render(rows));
                i += rows.size();
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

    /** A run of dots as in a table of contents ("Introduction . . . . 7"). */
    private static final Pattern LEADER = Pattern.compile("(\\.\\s?){4,}");
    /** A back-of-book index entry's page list at the end of a cell ("表格, 27–32", "\\item, 23, 41"). */
    private static final Pattern INDEX_PAGES = Pattern.compile(",\\s*\\d+([–-]\\d+)?(,\\s*\\d+([–-]\\d+)?)*$");
    /** A dotted section number ("3.1", "4.2.7"), as headings and table-of-contents entries start with. */
    private static final Pattern SECTION_NUMBER = Pattern.compile("\\d+(\\.\\d+)+\\.?");

    /**
     * Whether a line with {@code cells} can be a table row: at least two cells, none with a dot leader, not the entries
     * of a multi-column index (every cell ending in a page list), and not a numbered heading (a dotted section number
     * followed by one title cell, optionally a page number).
     */
    static boolean tableRow(List<Cell> cells) {
        if (cells.size() < 2) return false;
        for (Cell c : cells) if (LEADER.matcher(c.text()).find()) return false;
        if (cells.stream().allMatch(c -> INDEX_PAGES.matcher(c.text().strip()).find())) return false;
        return !(cells.size() <= 3 && SECTION_NUMBER.matcher(cells.getFirst().text().strip()).matches()
                && cells.get(1).text().codePoints().anyMatch(Character::isLetter));
    }

    /**
     * The rows of the table starting at line {@code i} of {@code lines}, or null when none starts there. Candidates are
     * the consecutive table rows ({@link #tableRow}) of about the same font size from line {@code i}; the first with
     * the most cells gives the columns. Rows are taken from line {@code i} on while each of their cells falls, in order,
     * into a column of that line ({@link #fit}); columns a row leaves out (the corner above row labels, a missing value)
     * become empty cells. A table has at least {@link #MIN_ROWS} rows, two of them with every column filled.
     */
    static List<List<String>> tableAt(List<Line> lines, int i) {
        Line head = lines.get(i);
        if (!tableRow(head.cells())) return null;
        int k = i + 1;
        while (k < lines.size() && sameSize(head, lines.get(k)) && tableRow(lines.get(k).cells())) k++;
        if (k - i < MIN_ROWS) return null;
        List<Cell> columns = head.cells();
        for (int j = i + 1; j < k; j++) if (lines.get(j).cells().size() > columns.size()) columns = lines.get(j).cells();
        List<List<String>> rows = new ArrayList<>();
        int full = 0;
        for (int j = i; j < k; j++) {
            List<Cell> cells = lines.get(j).cells();
            int[] at = fit(columns, cells, head.em());
            if (at == null) break;
            String[] row = new String[columns.size()];
            java.util.Arrays.fill(row, "");
            for (int c = 0; c < cells.size(); c++) row[at[c]] = cells.get(c).text();
            rows.add(List.of(row));
            if (cells.size() == columns.size()) full++;
        }
        return rows.size() >= MIN_ROWS && full >= 2 ? rows : null;
    }

    /**
     * The column of {@code columns} each of {@code cells} falls into, in increasing order, or null when one does not
     * align ({@link #aligned}) with any column left after the previous cell's.
     */
    static int[] fit(List<Cell> columns, List<Cell> cells, float em) {
        if (cells.size() > columns.size()) return null;
        int[] at = new int[cells.size()];
        int col = 0;
        for (int c = 0; c < cells.size(); c++) {
            while (col < columns.size() && !aligned(columns.get(col), cells.get(c), em)) col++;
            if (col == columns.size()) return null;
            at[c] = col++;
        }
        return at;
    }

    private static List<String> texts(List<Cell> cells) {
        return cells.stream().map(Cell::text).toList();
    }

    private static boolean sameSize(Line a, Line b) {
        return Math.abs(a.em() - b.em()) <= SIZE_TOLERANCE * Math.max(a.em(), b.em());
    }

    /** Whether cells {@code p} and {@code q} are left-, right- or centre-aligned within {@link #ALIGN_EM} em. */
    static boolean aligned(Cell p, Cell q, float em) {
        float tol = ALIGN_EM * em;
        return Math.abs(p.x() - q.x()) <= tol || Math.abs(p.end() - q.end()) <= tol || Math.abs(p.mid() - q.mid()) <= tol;
    }
}
