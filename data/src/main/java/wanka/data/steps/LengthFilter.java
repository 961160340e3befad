package wanka.data.steps;

import wanka.data.pipeline.Document;
import wanka.data.pipeline.Step;
import wanka.data.pipeline.StepContext;

/** Drops documents shorter than {@code min_chars} or longer than {@code max_chars} (code points). */
public record LengthFilter(int minChars, int maxChars) implements Step {
    @Override
    public String name() {
        return "length_filter";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        int n = doc.text().codePointCount(0, doc.text().length());
        if (n < minChars) {
            ctx.drop("too_short");
            return null;
        }
        if (n > maxChars) {
            ctx.drop("too_long");
            return null;
        }
        return doc;
    }
}
