package wanka.curate.parse;

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
        pending = null;
        page = 0;
        writeText(pdf, new StringWriter());
        flushLine();
        emitPending();
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

    /**
     * Ends the glyphs PDFBox grouped into one line. PDFBox's position sort is not transitive for glyphs on different
     * baselines, so a subscript lowered under a superscript ({@code x_i^\top}) can open a line of its own; a line whose
     * main baseline matches the pending one ({@link #sameLine}) is therefore merged into it before it is laid out, and
     * single script glyphs filed with the wrong neighbour line move across ({@link #moveScripts}).
     */
    private void flushLine() {
        if (glyphs.isEmpty()) return;
        List<Glyph> line = new ArrayList<>();
        for (TextPosition g : glyphs) {
            String u = g.getUnicode();
            if (u != null) u = CONTROL.matcher(u).replaceAll(""); // unmapped glyphs of some fonts come out as C0 controls
            if (u == null || u.isBlank()) continue;
            String font = g.getFont() == null ? "" : g.getFont().getName();
            line.add(new Glyph(u, g.getXDirAdj(), g.getXDirAdj() + g.getWidthDirAdj(), g.getYDirAdj(), g.getFontSizeInPt(), mathGlyph(font, u),
                    TexMathEncoding.tableFor(font) == TexMathEncoding.OMX));
        }
        glyphs.clear();
        if (line.isEmpty()) {
            newParagraph = false;
            return;
        }
        if (pending != null && pendingPage == page && !sameLine(pending, line)) {
            moveScripts(line, pending);
            moveScripts(pending, line);
        }
        if (pending != null && pendingPage == page && sameLine(pending, line)) {
            if (hangsOver(pending, line)) pendingParagraph |= newParagraph; // the formula's line, not the glyphs above it, says
            pending.addAll(line);
        } else {
            emitPending();
            pending = line;
            pendingParagraph = newParagraph;
            pendingPage = page;
        }
        newParagraph = false;
    }

    private List<Glyph> pending;
    private boolean pendingParagraph;
    private int pendingPage;

    private void emitPending() {
        if (pending == null) return;
        float em = (float) pending.stream().mapToDouble(Glyph::size).max().orElse(10);
        if (em <= 0) em = 10;
        List<Cell> cells = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        float start = 0, end = Float.NaN, cellEnd = 0;
        for (Unit g : units(pending)) {
            if (!Float.isNaN(end) && g.x() - end > CELL_GAP_EM * em) {
                cells.add(new Cell(text.toString(), start, cellEnd));
                text.setLength(0);
            } else if (!Float.isNaN(end) && g.x() - end > 0.15f * em) {
                text.append(' ');
            }
            if (text.isEmpty()) start = g.x();
            text.append(g.text());
            end = g.end();
            cellEnd = end;
        }
        if (!text.isEmpty()) cells.add(new Cell(text.toString(), start, cellEnd));
        lines.add(new Line(cells, pendingParagraph, em, pendingPage, baseline(pending)));
        pending = null;
    }

    /**
     * A glyph of a line: its text, horizontal extent, baseline (growing downwards), font size, whether its font is a math
     * font ({@link #mathGlyph}) and whether it is a TeX math-extension (OMX) font's, whose glyphs hang below their baseline.
     */
    record Glyph(String text, float x, float end, float y, float size, boolean math, boolean extension) {
    }

    /** What a line's text is assembled from: one glyph, or a base's sub/superscripts ({@link #units}). */
    record Unit(String text, float x, float end) {
    }

    /** A glyph at most this fraction of the line's main size is script-sized. */
    static final float SCRIPT_SIZE = 0.85f;
    /** A script-sized glyph whose baseline lies more than this many em (of the main size) below or above its base's is a sub/superscript. */
    static final float SCRIPT_SHIFT_EM = 0.1f;
    /** Scripts start at most this many em after their base ends; glyphs of one script run are at most this far apart. */
    static final float SCRIPT_GAP_EM = 0.15f;
    private static final Pattern MATH_FONT = Pattern.compile("(?i).*math.*");

    /** Whether a glyph is math: a TeX math font ({@link TexMathEncoding}), a font named "…Math…", or a mathematical alphanumeric symbol. */
    static boolean mathGlyph(String font, String text) {
        return TexMathEncoding.tableFor(font) != null || MATH_FONT.matcher(TexMathEncoding.baseName(font)).matches()
                || text.codePoints().anyMatch(c -> c >= 0x1D400 && c <= 0x1D7FF);
    }

    /** The line's main font size: its largest, leaving out math-extension glyphs (big operators and delimiters). */
    static float mainSize(List<Glyph> line) {
        double max = line.stream().filter(g -> !g.extension()).mapToDouble(Glyph::size).max()
                .orElse(line.stream().mapToDouble(Glyph::size).max().orElse(10));
        return (float) max;
    }

    /** The median baseline of the glyphs of {@code line} that are not script-sized ({@link #mainSize}) nor math extension. */
    static float baseline(List<Glyph> line) {
        float main = mainSize(line);
        List<Float> ys = line.stream().filter(g -> !g.extension() && g.size() > SCRIPT_SIZE * main).map(Glyph::y).sorted().toList();
        return ys.isEmpty() ? line.getFirst().y() : ys.get(ys.size() / 2);
    }

    /**
     * Whether the glyphs of {@code b}, a line PDFBox started after {@code a}, are on the same visual line: their main
     * baselines are within twice {@link #SCRIPT_SHIFT_EM} em, or one line is all script-sized and within half an em of the other
     * (a sub- or superscript PDFBox split off), or {@code a} holds only big math-extension glyphs that hang over {@code b}
     * ({@link #hangsOver}).
     */
    static boolean sameLine(List<Glyph> a, List<Glyph> b) {
        if (hangsOver(a, b)) return true;
        float ea = mainSize(a), eb = mainSize(b), d = Math.abs(baseline(a) - baseline(b));
        if (d <= 2 * SCRIPT_SHIFT_EM * Math.max(ea, eb)) return true;
        return maxSize(b) <= SCRIPT_SIZE * ea && d <= 0.5f * ea || maxSize(a) <= SCRIPT_SIZE * eb && d <= 0.5f * eb;
    }

    /**
     * Moves to {@code to} the script-sized glyphs of {@code from} that sit within half an em of {@code to}'s main
     * baseline and nearer to it than to {@code from}'s own, and follow a base glyph of {@code to} ({@link #hasBase}) but
     * none of {@code from}: PDFBox sometimes files a subscript with the next text line
     * (or a superscript with the previous one) when a taller glyph on the line, such as a summation sign, widens it.
     */
    static void moveScripts(List<Glyph> from, List<Glyph> to) {
        if (from.isEmpty() || to.stream().allMatch(Glyph::extension)) return; // a big operator's baseline is not the text's
        float toMain = mainSize(to), toBase = baseline(to), fromBase = baseline(from);
        List<Glyph> moved = new ArrayList<>();
        for (Glyph g : from) {
            float d = Math.abs(g.y() - toBase);
            if (g.size() <= SCRIPT_SIZE * toMain && d <= 0.5f * toMain && d < Math.abs(g.y() - fromBase) && hasBase(g, to) && !hasBase(g, from))
                moved.add(g);
        }
        if (moved.size() == from.size()) return; // a line of scripts only is joined whole by sameLine, or not at all
        from.removeAll(moved);
        to.addAll(moved);
    }

    /**
     * Whether {@code a} holds nothing but math-extension glyphs (at least one; big delimiters, summation signs, radicals)
     * and their scripts, each with glyphs of {@code b} on both sides, and {@code b}'s baseline below them by at most
     * {@link #HANG_EM} of their size: such glyphs hang
     * below their own baseline (TeX's cmex design), so PDFBox files them as a line of their own above the formula they
     * belong to.
     */
    static boolean hangsOver(List<Glyph> a, List<Glyph> b) {
        float ext = 0, top = Float.MAX_VALUE;
        for (Glyph g : a) if (g.extension()) {
            ext = Math.max(ext, g.size());
            top = Math.min(top, g.y());
        }
        if (ext == 0) return false;
        float bMain = mainSize(b), bBase = baseline(b);
        for (Glyph g : a) {
            if (!g.extension() && g.size() > SCRIPT_SIZE * bMain) return false;
            if (g.extension() && !(b.stream().anyMatch(h -> h.end() <= g.x() + SCRIPT_GAP_EM * bMain)
                    && b.stream().anyMatch(h -> h.x() >= g.end() - SCRIPT_GAP_EM * bMain))) return false;
        }
        return bBase > top && bBase - top <= HANG_EM * ext;
    }

    /** How far below a math-extension glyph's baseline the formula it belongs to may sit, in multiples of its size. */
    static final float HANG_EM = 1.5f;

    /** Whether a glyph of {@code line} larger than script size ends just before {@code g} starts (within {@link #SCRIPT_GAP_EM} em). */
    static boolean hasBase(Glyph g, List<Glyph> line) {
        float main = mainSize(line);
        for (Glyph b : line)
            if (b != g && !b.extension() && b.size() > SCRIPT_SIZE * main && g.x() >= b.x() && g.x() - b.end() <= SCRIPT_GAP_EM * main) return true;
        return false;
    }

    private static float maxSize(List<Glyph> line) {
        return (float) line.stream().mapToDouble(Glyph::size).max().orElse(0);
    }

    /**
     * The glyphs of a line in reading order: left to right, except that script-sized glyphs ({@link #SCRIPT_SIZE}) just
     * after a base glyph ({@link #SCRIPT_GAP_EM}) on a lowered or raised baseline ({@link #SCRIPT_SHIFT_EM}) follow
     * their base as subscript, then superscript, whatever their horizontal order (a subscript set under a superscript
     * starts at the same x). In math (base or scripts in a math font, {@link #mathGlyph}) they become {@code _{…}} and
     * {@code ^{…}}; in prose they stay plain text, so a footnote mark after a word reads as before. A run of
     * script-sized glyphs that follows no base (an inline fraction after a space) reads top to bottom; a math-extension
     * glyph is no base, as its baseline is not the formula's (the {@code -1} of {@code \right)^{-1}} stays plain).
     */
    static List<Unit> units(List<Glyph> line) {
        List<Glyph> gs = new ArrayList<>(line);
        gs.sort(java.util.Comparator.comparingDouble(Glyph::x));
        float main = mainSize(gs), mainBase = baseline(gs), gap = SCRIPT_GAP_EM * main, shift = SCRIPT_SHIFT_EM * main;
        List<Unit> out = new ArrayList<>();
        Glyph base = null;
        int i = 0;
        while (i < gs.size()) {
            Glyph g = gs.get(i);
            if (g.size() > SCRIPT_SIZE * main) {
                out.add(new Unit(g.text(), g.x(), g.end()));
                base = g;
                i++;
                continue;
            }
            int j = i + 1;
            float end = g.end();
            while (j < gs.size() && gs.get(j).size() <= SCRIPT_SIZE * main && gs.get(j).x() <= end + gap) end = Math.max(end, gs.get(j++).end());
            List<Glyph> run = gs.subList(i, j);
            boolean attached = base != null && !base.extension() && g.x() >= base.x() && g.x() - base.end() <= gap;
            float ref = attached ? base.y() : mainBase;
            StringBuilder level = new StringBuilder(), sub = new StringBuilder(), sup = new StringBuilder();
            for (Glyph r : run) (r.y() > ref + shift ? sub : r.y() < ref - shift ? sup : level).append(r.text());
            String text;
            if (attached && (sub.length() > 0 || sup.length() > 0)) {
                boolean math = base.math() || run.stream().anyMatch(Glyph::math);
                text = math ? level + (sub.isEmpty() ? "" : "_{" + sub + "}") + (sup.isEmpty() ? "" : "^{" + sup + "}") : level.toString() + sub + sup;
            } else if (sub.isEmpty() && sup.isEmpty()) {
                text = level.toString();
            } else {
                text = sup.toString() + level + sub; // top to bottom, as a fraction's numerator before its denominator
            }
            out.add(new Unit(text, g.x(), end));
            i = j;
        }
        return out;
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
    /** A piece of a tall bracket (⎛ ⎜ ⎝ …), as display math builds big delimiters from: such lines are formulas, not rows. */
    private static final Pattern BRACKET_PIECE = Pattern.compile("[\u239B-\u23B3]");
    /** A dotted section number ("3.1", "4.2.7"), as headings and table-of-contents entries start with. */
    private static final Pattern SECTION_NUMBER = Pattern.compile("\\d+(\\.\\d+)+\\.?");

    /**
     * Whether a line with {@code cells} can be a table row: at least two cells, none with a dot leader or a tall-bracket
     * piece, not the entries
     * of a multi-column index (every cell ending in a page list), and not a numbered heading (a dotted section number
     * followed by one title cell, optionally a page number).
     */
    static boolean tableRow(List<Cell> cells) {
        if (cells.size() < 2) return false;
        for (Cell c : cells) if (LEADER.matcher(c.text()).find() || BRACKET_PIECE.matcher(c.text()).find()) return false;
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
