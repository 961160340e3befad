package wanka.curate.parse;

import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFGroupShape;
import org.apache.poi.xslf.usermodel.XSLFShape;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTable;
import org.apache.poi.xslf.usermodel.XSLFTableCell;
import org.apache.poi.xslf.usermodel.XSLFTableRow;
import org.apache.poi.xslf.usermodel.XSLFTextParagraph;
import org.apache.poi.xslf.usermodel.XSLFTextShape;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PPTX via POI XSLF: per slide a {@code ## Slide n} heading, then its text boxes and tables (as Markdown) in shape order.
 * Equations (Office Math in {@code a14:m}, usually inside {@code mc:AlternateContent} whose fallback is a picture or
 * plain runs) become LaTeX as in {@link DocxParser}: {@code $…$} inline, {@code $$…$$} for a math paragraph.
 */
record PptxParser() implements FormatParser {
    static final String A = "http://schemas.openxmlformats.org/drawingml/2006/main";
    static final String MC = "http://schemas.openxmlformats.org/markup-compatibility/2006";

    @Override
    public Parsed parse(Path file) throws BadDocument, IOException {
        try (InputStream in = Files.newInputStream(file); XMLSlideShow show = new XMLSlideShow(in)) {
            List<String> blocks = new ArrayList<>();
            for (XSLFSlide slide : show.getSlides()) {
                blocks.add("## Slide " + slide.getSlideNumber());
                shapes(slide.getShapes(), blocks);
            }
            return new Parsed(String.join("\n\n", blocks), show.getSlides().size());
        } catch (IOException | RuntimeException e) {
            throw new BadDocument("corrupt PPTX: " + e.getMessage());
        }
    }

    private static void shapes(List<XSLFShape> shapes, List<String> blocks) {
        for (XSLFShape shape : shapes) {
            switch (shape) {
                case XSLFTextShape t -> {
                    String text = text(t).strip();
                    if (!text.isEmpty()) blocks.add(text);
                }
                case XSLFTable t -> {
                    List<List<String>> rows = new ArrayList<>();
                    for (XSLFTableRow row : t.getRows()) rows.add(row.getCells().stream().map(XSLFTableCell::getText).toList());
                    if (!rows.isEmpty()) blocks.add(MarkdownTable.render(rows));
                }
                case XSLFGroupShape g -> shapes(g.getShapes(), blocks);
                default -> { }
            }
        }
    }

    /** The shape's paragraphs, one a line as in POI's {@code getText}; paragraphs holding Office Math are read from their XML. */
    static String text(XSLFTextShape shape) {
        StringBuilder sb = new StringBuilder();
        for (XSLFTextParagraph p : shape.getTextParagraphs()) {
            if (!sb.isEmpty()) sb.append('\n');
            Node node = p.getXmlObject().getDomNode();
            sb.append(hasMath(node) ? inline(node) : p.getText());
        }
        return sb.toString();
    }

    private static boolean hasMath(Node node) {
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling())
            if (c instanceof Element e && (OmmlLatex.NS.equals(e.getNamespaceURI()) || hasMath(e))) return true;
        return false;
    }

    /** The text of a DrawingML paragraph's content: runs, fields, breaks and math in document order. */
    private static String inline(Node node) {
        StringBuilder sb = new StringBuilder();
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (!(c instanceof Element e)) continue;
            String ns = e.getNamespaceURI(), name = e.getLocalName();
            String math = OmmlLatex.delimited(e);
            if (math != null) sb.append(math);
            else if (MC.equals(ns) && name.equals("AlternateContent")) {
                Node branch = alternative(e);
                if (branch != null) sb.append(inline(branch));
            }
            else if (A.equals(ns) && name.equals("t")) sb.append(DomText.of(e));
            else if (A.equals(ns) && name.equals("br")) sb.append('\n');
            else if (!(A.equals(ns) && (name.equals("pPr") || name.equals("rPr") || name.equals("endParaRPr")))) sb.append(inline(e));
        }
        return sb.toString();
    }

    /** The branch of {@code mc:AlternateContent} to read: the first {@code mc:Choice} holding math, else the {@code mc:Fallback} (null when absent). */
    private static Node alternative(Element content) {
        Node fallback = null;
        for (Node c = content.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (!(c instanceof Element e) || !MC.equals(e.getNamespaceURI())) continue;
            if (e.getLocalName().equals("Choice") && hasMath(e)) return e;
            if (e.getLocalName().equals("Fallback")) fallback = e;
        }
        return fallback;
    }
}
