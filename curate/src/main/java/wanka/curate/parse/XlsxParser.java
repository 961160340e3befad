package wanka.curate.parse;

import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.FormulaError;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * XLSX via POI XSSF: each non-empty sheet as {@code ## name} and a Markdown table of its used range (first row as
 * header), values as Excel displays them. Formula cells show their cached value, or {@code value (=FORMULA)}.
 *
 * @param formulaText append the formula text to formula cells
 */
record XlsxParser(boolean formulaText) implements FormatParser {

    @Override
    public Parsed parse(Path file) throws BadDocument, IOException {
        try (InputStream in = Files.newInputStream(file); XSSFWorkbook book = new XSSFWorkbook(in)) {
            DataFormatter format = new DataFormatter();
            List<String> blocks = new ArrayList<>();
            for (Sheet sheet : book) {
                List<List<String>> rows = new ArrayList<>();
                for (int r = 0; r <= sheet.getLastRowNum(); r++) {
                    Row row = sheet.getRow(r);
                    List<String> cells = new ArrayList<>();
                    for (int c = 0; row != null && c < row.getLastCellNum(); c++) cells.add(value(row.getCell(c), format));
                    rows.add(cells);
                }
                List<List<String>> used = SheetRows.trim(rows);
                if (!used.isEmpty()) blocks.add("## " + sheet.getSheetName() + "\n\n" + MarkdownTable.render(used));
            }
            return new Parsed(String.join("\n\n", blocks), book.getNumberOfSheets());
        } catch (IOException | RuntimeException e) {
            throw new BadDocument("corrupt XLSX: " + e.getMessage());
        }
    }

    private String value(Cell cell, DataFormatter format) {
        if (cell == null) return "";
        if (cell.getCellType() != CellType.FORMULA) return format.formatCellValue(cell);
        String cached = switch (cell.getCachedFormulaResultType()) {
            case NUMERIC -> format.formatRawCellContents(cell.getNumericCellValue(), cell.getCellStyle().getDataFormat(), cell.getCellStyle().getDataFormatString());
            case STRING -> cell.getStringCellValue();
            case BOOLEAN -> cell.getBooleanCellValue() ? "TRUE" : "FALSE";
            case ERROR -> FormulaError.forInt(cell.getErrorCellValue()).getString();
            default -> "";
        };
        return formulaText ? cached + " (=" + cell.getCellFormula() + ")" : cached;
    }
}
