package wanka.curate.parse;

import java.util.List;

/** Renders rows of cells as a Markdown table; the first row is the header, short rows are padded. */
final class MarkdownTable {
    private MarkdownTable() {
    }

    static String render(List<List<String>> rows) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            row(sb, rows.get(r), cols);
            if (r == 0) row(sb, java.util.Collections.nCopies(cols, "---"), cols);
        }
        sb.setLength(Math.max(0, sb.length() - 1));
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<String> cells, int cols) {
        sb.append('|');
        for (int c = 0; c < cols; c++) {
            String cell = c < cells.size() ? cells.get(c) : "";
            sb.append(' ').append(cell.strip().replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ")).append(" |");
        }
        sb.append('\n');
    }
}
