package wanka.data.parse;

import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFGroupShape;
import org.apache.poi.xslf.usermodel.XSLFShape;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTable;
import org.apache.poi.xslf.usermodel.XSLFTableCell;
import org.apache.poi.xslf.usermodel.XSLFTableRow;
import org.apache.poi.xslf.usermodel.XSLFTextShape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** PPTX via POI XSLF: per slide a {@code ## Slide n} heading, then its text boxes and tables (as Markdown) in shape order. */
record PptxParser() implements FormatParser {

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
                    String text = t.getText().strip();
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
}
