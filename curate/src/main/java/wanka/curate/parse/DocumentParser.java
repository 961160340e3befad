package wanka.curate.parse;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.DocumentReader;
import wanka.curate.pipeline.Quarantine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads structured documents: one {@link Document} per file, chosen by extension ({@code .pdf .docx .xlsx .pptx .ods}),
 * text in reading order with tables as Markdown and simple Office Math as LaTeX. The document id is the file name;
 * metadata: {@code source}, {@code format}, {@code pages} (pages, slides or sheets, when known), and
 * {@code truncated} when capped. Broken, encrypted or unsupported files are quarantined with the reason.
 *
 * @param maxChars     text kept per document (0: all); longer text is cut and ends with a note
 * @param maxPdfPages  PDF pages read at most (0: all)
 * @param formulaText  spreadsheet formula cells show {@code value (=FORMULA)} instead of just the cached value
 */
public record DocumentParser(int maxChars, int maxPdfPages, boolean formulaText) implements DocumentReader {
    public static final String FORMAT = "format";
    public static final String PAGES = "pages";
    public static final String TRUNCATED = "truncated";

    /** All pages, no cap, cached formula values. */
    public DocumentParser() {
        this(0, 0, false);
    }

    @Override
    public void read(Path file, Consumer<Document> sink, Quarantine quarantine) throws IOException {
        String name = file.getFileName().toString();
        String format = extension(name);
        FormatParser parser = switch (format) {
            case "pdf" -> new PdfParser(maxPdfPages);
            case "docx" -> new DocxParser();
            case "xlsx" -> new XlsxParser(formulaText);
            case "pptx" -> new PptxParser();
            case "ods" -> new OdsParser();
            default -> null;
        };
        if (parser == null) {
            quarantine.add(name, "parse", "unsupported format: " + format, null);
            return;
        }
        Parsed parsed;
        try {
            parsed = parser.parse(file);
        } catch (BadDocument e) {
            quarantine.add(name, "parse", e.getMessage(), null);
            return;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            quarantine.add(name, "parse", "corrupt " + format.toUpperCase(Locale.ROOT) + ": " + e, null);
            return;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Document.SOURCE, name);
        meta.put(FORMAT, format);
        if (parsed.pages() > 0) meta.put(PAGES, Integer.toString(parsed.pages()));
        String text = parsed.text();
        if (maxChars > 0 && text.length() > maxChars) {
            text = text.substring(0, maxChars) + "\n\n[truncated: " + maxChars + " of " + parsed.text().length() + " characters]";
            meta.put(TRUNCATED, "true");
        }
        if (text.isBlank()) {
            quarantine.add(name, "parse", "no text in " + format.toUpperCase(Locale.ROOT), null);
            return;
        }
        sink.accept(new Document(name, text, meta));
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
