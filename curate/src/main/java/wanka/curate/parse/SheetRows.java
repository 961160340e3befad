package wanka.curate.parse;

import java.util.ArrayList;
import java.util.List;

/** The used range of a sheet: rows and columns that hold no text at the end, start or edges are dropped. */
final class SheetRows {
    private SheetRows() {
    }

    static List<List<String>> trim(List<List<String>> rows) {
        int first = 0, last = rows.size() - 1;
        while (first <= last && blank(rows.get(first))) first++;
        while (last >= first && blank(rows.get(last))) last--;
        int left = Integer.MAX_VALUE, right = -1;
        for (int r = first; r <= last; r++) {
            List<String> row = rows.get(r);
            for (int c = 0; c < row.size(); c++) {
                if (!row.get(c).isBlank()) {
                    left = Math.min(left, c);
                    right = Math.max(right, c);
                }
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (int r = first; r <= last; r++) {
            List<String> row = rows.get(r);
            List<String> cells = new ArrayList<>();
            for (int c = left; c <= right; c++) cells.add(c < row.size() ? row.get(c) : "");
            out.add(cells);
        }
        return out;
    }

    private static boolean blank(List<String> row) {
        return row.stream().allMatch(String::isBlank);
    }
}
