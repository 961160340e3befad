package wanka.curate.pipeline;

/**
 * A step that keeps or drops whole documents by their text alone: {@link #check} names the rule that fails
 * (the drop reason) or returns null, and the document passes unchanged.
 */
public interface TextFilter extends Step {

    /** The reason the text is dropped, or null when it passes. */
    String check(String text);

    @Override
    default Document apply(Document doc, StepContext ctx) {
        String reason = check(doc.text());
        if (reason == null) return doc;
        ctx.drop(reason);
        return null;
    }
}
