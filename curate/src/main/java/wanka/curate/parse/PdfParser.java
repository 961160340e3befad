package wanka.curate.parse;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PDF via PDFBox: text sorted by position, paragraphs separated by blank lines, runs of aligned multi-column lines as
 * Markdown tables ({@link PdfLayoutStripper}). Files without a {@code %PDF-} header, password-protected files and files
 * that forbid text extraction are rejected.
 *
 * @param maxPages pages read at most (0: all)
 */
record PdfParser(int maxPages) implements FormatParser {

    @Override
    public Parsed parse(Path file) throws BadDocument, IOException {
        if (!hasHeader(file)) throw new BadDocument("not a PDF");
        try (PDDocument pdf = Loader.loadPDF(file.toFile())) {
            if (pdf.isEncrypted() && !pdf.getCurrentAccessPermission().canExtractContent()) throw new BadDocument("encrypted PDF");
            PdfLayoutStripper stripper = new PdfLayoutStripper();
            if (maxPages > 0) stripper.setEndPage(maxPages);
            return new Parsed(stripper.layout(pdf), pdf.getNumberOfPages());
        } catch (InvalidPasswordException e) {
            throw new BadDocument("encrypted PDF");
        } catch (IOException | RuntimeException e) {
            throw new BadDocument("corrupt PDF: " + e.getMessage());
        }
    }

    private static boolean hasHeader(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(1024), StandardCharsets.ISO_8859_1).contains("%PDF-");
        }
    }
}
