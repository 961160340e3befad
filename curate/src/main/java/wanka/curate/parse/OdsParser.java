package wanka.curate.parse;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * ODS (OpenDocument spreadsheet) from its zip's {@code content.xml}: each non-empty table as {@code ## name} and a
 * Markdown table of its used range. Repeated rows and cells are expanded, except blank runs at the end of a row or
 * sheet (spreadsheets pad to a million rows that way).
 */
record OdsParser() implements FormatParser {
    static final String TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    static final String TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    /** Repeats beyond this are not expanded even between filled cells. */
    static final int MAX_REPEAT = 1000;

    @Override
    public Parsed parse(Path file) throws BadDocument, IOException {
        org.w3c.dom.Document xml;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("content.xml");
            if (entry == null) throw new BadDocument("corrupt ODS: no content.xml");
            try (InputStream in = zip.getInputStream(entry)) {
                xml = parser().parse(in);
            }
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new BadDocument("corrupt ODS: " + e.getMessage());
        }
        List<String> blocks = new ArrayList<>();
        var tables = xml.getElementsByTagNameNS(TABLE, "table");
        for (int t = 0; t < tables.getLength(); t++) {
            Element table = (Element) tables.item(t);
            List<List<String>> rows = new ArrayList<>();
            var rowNodes = table.getElementsByTagNameNS(TABLE, "table-row");
            for (int r = 0; r < rowNodes.getLength(); r++) {
                Element row = (Element) rowNodes.item(r);
                List<String> cells = cells(row);
                int repeat = repeat(row, "number-rows-repeated");
                for (int i = 0; i < repeat; i++) rows.add(cells);
            }
            List<List<String>> used = SheetRows.trim(rows);
            if (!used.isEmpty()) blocks.add("## " + table.getAttributeNS(TABLE, "name") + "\n\n" + MarkdownTable.render(used));
        }
        return new Parsed(String.join("\n\n", blocks), tables.getLength());
    }

    private static List<String> cells(Element row) {
        List<String> cells = new ArrayList<>();
        int pendingBlank = 0;
        for (Node c = row.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (!(c instanceof Element e) || !TABLE.equals(e.getNamespaceURI())) continue;
            if (!e.getLocalName().equals("table-cell") && !e.getLocalName().equals("covered-table-cell")) continue;
            String text = text(e);
            int repeat = repeat(e, "number-columns-repeated");
            if (text.isBlank()) {
                pendingBlank += repeat;
                continue;
            }
            cells.addAll(Collections.nCopies(pendingBlank, ""));
            pendingBlank = 0;
            for (int i = 0; i < repeat; i++) cells.add(text);
        }
        return cells;
    }

    /** A cell's paragraphs ({@code text:p}), joined by spaces. */
    private static String text(Element cell) {
        List<String> paras = new ArrayList<>();
        var ps = cell.getElementsByTagNameNS(TEXT, "p");
        for (int i = 0; i < ps.getLength(); i++) paras.add(inline(ps.item(i), new StringBuilder()).toString());
        return String.join(" ", paras);
    }

    /** Paragraph text with ODF's space ({@code text:s c="n"}), tab and line-break elements expanded. */
    private static StringBuilder inline(Node node, StringBuilder sb) {
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE) sb.append(c.getNodeValue());
            else if (!(c instanceof Element e)) continue;
            else if (!TEXT.equals(e.getNamespaceURI())) inline(e, sb);
            else switch (e.getLocalName()) {
                case "s" -> sb.repeat(" ", Math.clamp(e.hasAttributeNS(TEXT, "c") ? parse(e.getAttributeNS(TEXT, "c")) : 1, 1, MAX_REPEAT));
                case "tab" -> sb.append('\t');
                case "line-break" -> sb.append(' ');
                case "note" -> { }
                default -> inline(e, sb);
            }
        }
        return sb;
    }

    private static int parse(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static int repeat(Element e, String attribute) {
        return e.hasAttributeNS(TABLE, attribute) ? Math.clamp(parse(e.getAttributeNS(TABLE, attribute)), 1, MAX_REPEAT) : 1;
    }

    private static javax.xml.parsers.DocumentBuilder parser() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setExpandEntityReferences(false);
        return f.newDocumentBuilder();
    }
}
