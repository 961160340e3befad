package wanka.curate.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTable;
import org.apache.poi.xslf.usermodel.XSLFTableRow;
import org.apache.poi.xslf.usermodel.XSLFTextBox;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Quarantine;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentParserTest {
    @TempDir
    Path dir;

    /** The documents of {@code file} and the quarantined reasons. */
    private record Result(List<Document> docs, List<String> reasons) {
    }

    private Result parse(DocumentParser parser, Path file) throws IOException {
        List<Document> docs = new ArrayList<>();
        Path qfile = dir.resolve("quarantine-" + file.getFileName() + ".jsonl");
        try (Quarantine q = new Quarantine(qfile)) {
            parser.read(file, docs::add, q);
        }
        List<String> reasons = new ArrayList<>();
        if (Files.exists(qfile)) for (String line : Files.readAllLines(qfile)) {
            JsonNode n = new ObjectMapper().readTree(line);
            reasons.add(n.get("reason").asText());
        }
        return new Result(docs, reasons);
    }

    private Document single(Path file) throws IOException {
        Result r = parse(new DocumentParser(), file);
        assertEquals(List.of(), r.reasons());
        assertEquals(1, r.docs().size());
        return r.docs().getFirst();
    }

    private Path pdf(String name, StandardProtectionPolicy protect) throws IOException {
        Path file = dir.resolve(name);
        try (PDDocument pdf = new PDDocument()) {
            PDPage page = new PDPage();
            pdf.addPage(page);
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            try (PDPageContentStream cs = new PDPageContentStream(pdf, page)) {
                text(cs, font, 72, 720, "The first paragraph starts here and");
                text(cs, font, 72, 706, "continues on a second line.");
                text(cs, font, 72, 670, "A second paragraph.");
                String[][] table = {{"Name", "Qty", "Price"}, {"apple", "3", "1.20"}, {"pear", "10", "0.80"}};
                for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) text(cs, font, 72 + 120 * c, 630 - 16 * r, table[r][c]);
            }
            if (protect != null) pdf.protect(protect);
            pdf.save(file.toFile());
        }
        return file;
    }

    private static void text(PDPageContentStream cs, PDType1Font font, float x, float y, String s) throws IOException {
        cs.beginText();
        cs.setFont(font, 11);
        cs.newLineAtOffset(x, y);
        cs.showText(s);
        cs.endText();
    }

    @Test
    void pdfParagraphsAndAlignedTable() throws IOException {
        Document doc = single(pdf("two.pdf", null));
        assertEquals("""
                The first paragraph starts here and continues on a second line.

                A second paragraph.

                | Name | Qty | Price |
                | --- | --- | --- |
                | apple | 3 | 1.20 |
                | pear | 10 | 0.80 |""", doc.text());
        assertEquals("two.pdf", doc.id());
        assertEquals("two.pdf", doc.source());
        assertEquals("pdf", doc.metadata().get(DocumentParser.FORMAT));
        assertEquals("1", doc.metadata().get(DocumentParser.PAGES));
    }

    @Test
    void pdfRunningHeadersAndPageNumbersAreDropped() throws IOException {
        Path file = dir.resolve("running.pdf");
        try (PDDocument pdf = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (int p = 1; p <= 4; p++) {
                PDPage page = new PDPage();
                pdf.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(pdf, page)) {
                    text(cs, font, 72, 750, "Section " + p + " of the Manual");
                    text(cs, font, 72, 700, "Body text of page " + p + ".");
                    text(cs, font, 300, 40, Integer.toString(p));
                }
            }
            pdf.save(file.toFile());
        }
        assertEquals("""
                Body text of page 1.

                Body text of page 2.

                Body text of page 3.

                Body text of page 4.""", single(file).text());
    }

    @Test
    void pdfLinesJoinWithoutSpaceBetweenCjkCharacters() {
        assertTrue(PdfLayoutStripper.joinsTight("本手册正文", "部分"));
        assertTrue(PdfLayoutStripper.joinsTight("句子，", "下一行"));
        assertTrue(PdfLayoutStripper.joinsTight("re-", "spectively"));
        assertFalse(PdfLayoutStripper.joinsTight("English", "text"));
        assertFalse(PdfLayoutStripper.joinsTight("LaTeX", "排版"));
    }

    @Test
    void encryptedBrokenAndUnknownFilesAreQuarantined() throws IOException {
        Path enc = pdf("secret.pdf", new StandardProtectionPolicy("owner", "user", new AccessPermission()));
        assertEquals(List.of("encrypted PDF"), parse(new DocumentParser(), enc).reasons());
        Path fake = Files.writeString(dir.resolve("fake.pdf"), "hello, not a pdf");
        assertEquals(List.of("not a PDF"), parse(new DocumentParser(), fake).reasons());
        Path garbage = Files.writeString(dir.resolve("garbage.pdf"), "%PDF-1.4\nno objects here\n");
        assertEquals(List.of("corrupt PDF: Missing root object specification in trailer."), parse(new DocumentParser(), garbage).reasons());
        Path bin = Files.write(dir.resolve("blob.bin"), new byte[]{0, 1, 2});
        assertEquals(List.of("unsupported format: bin"), parse(new DocumentParser(), bin).reasons());
    }

    @Test
    void longTextIsCappedWithANote() throws IOException {
        Result r = parse(new DocumentParser(20, 0, false), pdf("long.pdf", null));
        Document doc = r.docs().getFirst();
        assertEquals("The first paragraph \n\n[truncated: 20 of " + single(pdf("long2.pdf", null)).text().length() + " characters]", doc.text());
        assertEquals("true", doc.metadata().get(DocumentParser.TRUNCATED));
    }

    private Path docx(String name) throws IOException {
        Path file = dir.resolve(name);
        try (XWPFDocument doc = new XWPFDocument(); OutputStream out = Files.newOutputStream(file)) {
            XWPFParagraph h = doc.createParagraph();
            h.setStyle("Heading1");
            h.createRun().setText("Results");
            doc.createParagraph().createRun().setText("The table shows the counts.");
            XWPFTable t = doc.createTable(2, 3);
            String[][] cells = {{"x", "y", "z"}, {"1", "2", "3"}};
            for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) t.getRow(r).getCell(c).setText(cells[r][c]);
            XWPFParagraph p = doc.createParagraph();
            p.createRun().setText("The ratio is ");
            Node ctp = p.getCTP().getDomNode();
            ctp.appendChild(math(ctp.getOwnerDocument(), "oMath",
                    math(ctp.getOwnerDocument(), "f",
                            math(ctp.getOwnerDocument(), "num", run(ctp.getOwnerDocument(), "a")),
                            math(ctp.getOwnerDocument(), "den", math(ctp.getOwnerDocument(), "sSup",
                                    math(ctp.getOwnerDocument(), "e", run(ctp.getOwnerDocument(), "b")),
                                    math(ctp.getOwnerDocument(), "sup", run(ctp.getOwnerDocument(), "2")))))));
            doc.write(out);
        }
        return file;
    }

    private static Element math(org.w3c.dom.Document owner, String name, Node... children) {
        Element e = owner.createElementNS(OmmlLatex.NS, "m:" + name);
        for (Node c : children) e.appendChild(c);
        return e;
    }

    private static Element run(org.w3c.dom.Document owner, String text) {
        Element t = math(owner, "t");
        t.appendChild(owner.createTextNode(text));
        return math(owner, "r", t);
    }

    @Test
    void docxHeadingParagraphTableAndMath() throws IOException {
        Document doc = single(docx("report.docx"));
        assertEquals("""
                # Results

                The table shows the counts.

                | x | y | z |
                | --- | --- | --- |
                | 1 | 2 | 3 |

                The ratio is $\\frac{a}{b^{2}}$""", doc.text());
        assertEquals("docx", doc.metadata().get(DocumentParser.FORMAT));
    }

    @Test
    void truncatedDocxIsQuarantined() throws IOException {
        byte[] good = Files.readAllBytes(docx("whole.docx"));
        Path cut = Files.write(dir.resolve("cut.docx"), Arrays.copyOf(good, good.length / 2));
        Result r = parse(new DocumentParser(), cut);
        assertEquals(List.of(), r.docs());
        assertEquals(1, r.reasons().size());
        assertTrue(r.reasons().getFirst().startsWith("corrupt DOCX: "), r.reasons().getFirst());
    }

    private Path xlsx(String name) throws IOException {
        Path file = dir.resolve(name);
        try (XSSFWorkbook book = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            Sheet data = book.createSheet("Data");
            Row head = data.createRow(0);
            head.createCell(0).setCellValue("A");
            head.createCell(1).setCellValue("B");
            head.createCell(2).setCellValue("Sum");
            Row row = data.createRow(1);
            row.createCell(0).setCellValue(1);
            row.createCell(1).setCellValue(2.5);
            row.createCell(2).setCellFormula("A2+B2");
            Sheet notes = book.createSheet("Notes");
            notes.createRow(0).createCell(0).setCellValue("Note");
            notes.createRow(1).createCell(0).setCellValue("a|b");
            book.getCreationHelper().createFormulaEvaluator().evaluateAll();
            book.write(out);
        }
        return file;
    }

    @Test
    void xlsxSheetsAsTablesWithCachedFormulaValues() throws IOException {
        Path file = xlsx("book.xlsx");
        assertEquals("""
                ## Data

                | A | B | Sum |
                | --- | --- | --- |
                | 1 | 2.5 | 3.5 |

                ## Notes

                | Note |
                | --- |
                | a\\|b |""", single(file).text());
        Document withFormulas = parse(new DocumentParser(0, 0, true), file).docs().getFirst();
        assertTrue(withFormulas.text().contains("| 1 | 2.5 | 3.5 (=A2+B2) |"), withFormulas.text());
        assertEquals("2", withFormulas.metadata().get(DocumentParser.PAGES));
    }

    @Test
    void pptxSlidesWithTables() throws IOException {
        Path file = dir.resolve("deck.pptx");
        try (XMLSlideShow show = new XMLSlideShow(); OutputStream out = Files.newOutputStream(file)) {
            XSLFSlide slide = show.createSlide();
            XSLFTextBox box = slide.createTextBox();
            box.setAnchor(new Rectangle2D.Double(50, 50, 400, 50));
            box.setText("Quarterly numbers");
            XSLFTable table = slide.createTable();
            table.setAnchor(new Rectangle2D.Double(50, 150, 400, 100));
            String[][] cells = {{"Q", "Sales"}, {"Q1", "7"}};
            for (String[] r : cells) {
                XSLFTableRow row = table.addRow();
                for (String c : r) row.addCell().setText(c);
            }
            show.createSlide().createTextBox().setText("Thanks");
            show.write(out);
        }
        assertEquals("""
                ## Slide 1

                Quarterly numbers

                | Q | Sales |
                | --- | --- |
                | Q1 | 7 |

                ## Slide 2

                Thanks""", single(file).text());
    }

    /**
     * PowerPoint keeps an equation as Office Math in {@code a14:m}: inside a paragraph (inline, wrapped in
     * {@code mc:AlternateContent} with a plain-run fallback) or as a whole shape under {@code mc:AlternateContent} whose
     * fallback is a picture shape. The POI-built deck's placeholder runs are replaced by that XML.
     */
    @Test
    void pptxOfficeMathBecomesLatex() throws IOException {
        Path built = dir.resolve("built.pptx"), file = dir.resolve("math.pptx");
        try (XMLSlideShow show = new XMLSlideShow(); OutputStream out = Files.newOutputStream(built)) {
            XSLFSlide slide = show.createSlide();
            XSLFTextBox box = slide.createTextBox();
            box.setAnchor(new Rectangle2D.Double(50, 50, 400, 50));
            var para = box.addNewTextParagraph();
            para.addNewTextRun().setText("Energy ");
            para.addNewTextRun().setText("INLINEMATH");
            para.addNewTextRun().setText(" holds.");
            XSLFTextBox eq = slide.createTextBox();
            eq.setAnchor(new Rectangle2D.Double(50, 150, 400, 50));
            eq.setText("DISPLAYMATH");
            show.write(out);
        }
        String m = "xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\"";
        String mc = "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" xmlns:a14=\"http://schemas.microsoft.com/office/drawing/2010/main\"";
        String inline = "<mc:AlternateContent " + mc + "><mc:Choice Requires=\"a14\"><a14:m><m:oMath " + m + ">"
                + "<m:r><m:t>E=m</m:t></m:r><m:sSup><m:e><m:r><m:t>c</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup>"
                + "</m:oMath></a14:m></mc:Choice><mc:Fallback><a:r><a:t>E=mc2</a:t></a:r></mc:Fallback></mc:AlternateContent>";
        String display = "<mc:AlternateContent " + mc + "><mc:Choice Requires=\"a14\"><p:sp><p:nvSpPr><p:cNvPr id=\"9\" name=\"Eq\"/>"
                + "<p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a14:m><m:oMathPara " + m + ">"
                + "<m:oMath><m:f><m:num><m:r><m:t>a</m:t></m:r></m:num><m:den><m:r><m:t>b</m:t></m:r></m:den></m:f></m:oMath>"
                + "</m:oMathPara></a14:m></a:p></p:txBody></p:sp></mc:Choice><mc:Fallback><p:sp><p:nvSpPr><p:cNvPr id=\"9\" name=\"Eq\"/>"
                + "<p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>picture</a:t></a:r></a:p>"
                + "</p:txBody></p:sp></mc:Fallback></mc:AlternateContent>";
        try (var zin = new java.util.zip.ZipFile(built.toFile()); ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(file))) {
            for (ZipEntry e : java.util.Collections.list(zin.entries())) {
                byte[] data = zin.getInputStream(e).readAllBytes();
                if (e.getName().equals("ppt/slides/slide1.xml")) {
                    String xml = new String(data, StandardCharsets.UTF_8)
                            .replaceFirst("<a:r>(?:(?!</a:r>).)*<a:t>INLINEMATH</a:t></a:r>", java.util.regex.Matcher.quoteReplacement(inline))
                            .replaceFirst("<p:sp>(?:(?!</p:sp>).)*DISPLAYMATH(?:(?!</p:sp>).)*</p:sp>", java.util.regex.Matcher.quoteReplacement(display));
                    assertFalse(xml.contains("MATH"), xml);
                    data = xml.getBytes(StandardCharsets.UTF_8);
                }
                zout.putNextEntry(new ZipEntry(e.getName()));
                zout.write(data);
            }
        }
        assertEquals("""
                ## Slide 1

                Energy $E=mc^{2}$ holds.

                $$\\frac{a}{b}$$""", single(file).text());
    }

    @Test
    void odsTablesWithRepeatedCells() throws IOException {
        Path file = dir.resolve("sheet.ods");
        String content = """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
                    xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
                 <office:body><office:spreadsheet>
                  <table:table table:name="Prices">
                   <table:table-row><table:table-cell><text:p>Item</text:p></table:table-cell><table:table-cell/><table:table-cell><text:p>Cost</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16000"/></table:table-row>
                   <table:table-row><table:table-cell><text:p>green<text:s text:c="2"/>tea</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"><text:p>4</text:p></table:table-cell></table:table-row>
                   <table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
                  </table:table>
                 </office:spreadsheet></office:body>
                </office:document-content>""";
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("mimetype"));
            zip.write("application/vnd.oasis.opendocument.spreadsheet".getBytes(StandardCharsets.US_ASCII));
            zip.putNextEntry(new ZipEntry("content.xml"));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("""
                ## Prices

                | Item |  | Cost |
                | --- | --- | --- |
                | green  tea | 4 | 4 |""", single(file).text());
        Path broken = Files.writeString(dir.resolve("broken.ods"), "not a zip");
        assertTrue(parse(new DocumentParser(), broken).reasons().getFirst().startsWith("corrupt ODS: "));
    }
}
