package wanka.curate.parse;

import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.apache.poi.xwpf.usermodel.XWPFTableCell;
import org.apache.poi.xwpf.usermodel.XWPFTableRow;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DOCX via POI XWPF: body paragraphs and tables in order; headings ({@code Heading1..6}, {@code Title}) as Markdown
 * {@code #} lines, tables as Markdown tables, inline Office Math as {@code $…$} and display math as {@code $$…$$}.
 */
record DocxParser() implements FormatParser {
    static final String W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private static final Pattern HEADING = Pattern.compile("(?i)heading\\s*([1-6])");

    @Override
    public Parsed parse(Path file) throws BadDocument, IOException {
        try (InputStream in = Files.newInputStream(file); XWPFDocument doc = new XWPFDocument(in)) {
            List<String> blocks = new ArrayList<>();
            for (IBodyElement el : doc.getBodyElements()) {
                String block = switch (el) {
                    case XWPFParagraph p -> paragraph(p);
                    case XWPFTable t -> table(t);
                    default -> "";
                };
                if (!block.isBlank()) blocks.add(block);
            }
            int pages = doc.getProperties().getExtendedProperties().getPages();
            return new Parsed(String.join("\n\n", blocks), Math.max(0, pages));
        } catch (IOException | RuntimeException e) {
            throw new BadDocument("corrupt DOCX: " + e.getMessage());
        }
    }

    private static String paragraph(XWPFParagraph p) {
        String text = inline(p.getCTP().getDomNode()).strip();
        String style = p.getStyle() == null ? "" : p.getStyle();
        Matcher m = HEADING.matcher(style);
        if (text.isEmpty()) return "";
        if (m.matches()) return "#".repeat(Integer.parseInt(m.group(1))) + " " + text;
        return style.equalsIgnoreCase("Title") ? "# " + text : text;
    }

    /** The text of a paragraph's content: runs, tabs, breaks, hyperlinks and math in document order. */
    private static String inline(Node node) {
        StringBuilder sb = new StringBuilder();
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (!(c instanceof Element e)) continue;
            String ns = e.getNamespaceURI(), name = e.getLocalName();
            String math = OmmlLatex.delimited(e);
            if (math != null) sb.append(math);
            else if (!W.equals(ns)) sb.append(inline(e));
            else switch (name) {
                case "t" -> sb.append(DomText.of(e));
                case "tab" -> sb.append('\t');
                case "br", "cr" -> sb.append('\n');
                case "pPr", "rPr", "delText", "instrText" -> { }
                default -> sb.append(inline(e));
            }
        }
        return sb.toString();
    }

    private static String table(XWPFTable t) {
        List<List<String>> rows = new ArrayList<>();
        for (XWPFTableRow row : t.getRows()) {
            List<String> cells = new ArrayList<>();
            for (XWPFTableCell cell : row.getTableCells())
                cells.add(String.join(" ", cell.getParagraphs().stream().map(DocxParser::paragraph).filter(s -> !s.isEmpty()).toList()));
            rows.add(cells);
        }
        return rows.isEmpty() ? "" : MarkdownTable.render(rows);
    }
}
