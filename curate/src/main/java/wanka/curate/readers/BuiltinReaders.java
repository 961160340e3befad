package wanka.curate.readers;

import wanka.curate.parse.DocumentParser;
import wanka.curate.pipeline.StepOptions;
import wanka.curate.pipeline.StepRegistry;

/**
 * The readers wanka ships, by the name a config gives as {@code input.reader}. Each is built from the {@code input}
 * section's options (everything but {@code reader}, {@code paths} and {@code domain}).
 */
public final class BuiltinReaders {
    private BuiltinReaders() {
    }

    public static StepRegistry register(StepRegistry r) {
        return r
                .registerReader("jsonl", "JSON Lines, optionally .gz: one object per line (text_field: text, max_document_bytes)",
                        o -> new JsonlReader(o.string("text_field", "text"), "id", maxBytes(o)))
                .registerReader("text", "UTF-8 text, optionally .gz: one document per non-blank line (max_document_bytes)",
                        o -> new TextReader(false, maxBytes(o)))
                .registerReader("paragraphs", "UTF-8 text, optionally .gz: one document per block of lines between blank lines (max_document_bytes)",
                        o -> new TextReader(true, maxBytes(o)))
                .registerReader("documents", "PDF, DOCX, XLSX, PPTX and ODS files, one document each, formulas and tables kept",
                        o -> new DocumentParser());
    }

    /** Documents (JSONL lines, text paragraphs) over this many UTF-8 bytes are quarantined instead of buffered. */
    private static long maxBytes(StepOptions o) {
        double v = o.number("max_document_bytes", Lines.DEFAULT_MAX_BYTES);
        if (!(v > 0) || v != Math.rint(v)) throw new IllegalArgumentException("max_document_bytes must be a positive whole number of bytes, got " + o.values().get("max_document_bytes"));
        return (long) v;
    }
}
