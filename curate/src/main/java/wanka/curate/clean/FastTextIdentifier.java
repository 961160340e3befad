package wanka.curate.clean;

import wanka.curate.clean.fasttext.FastTextModel;

import java.util.List;

/**
 * Language identification with a fastText classifier such as {@code lid.176} (what datatrove's language filter runs):
 * the top label and its probability, on the whole text with line breaks read as spaces, or on its first
 * {@code maxChars} characters (cut at a space) when {@code maxChars > 0}.
 */
public final class FastTextIdentifier implements LanguageIdentifier {
    private final FastTextModel model;
    private final String name;
    private final int maxChars;

    public FastTextIdentifier(FastTextModel model, String name, int maxChars) {
        this.model = model;
        this.name = name;
        this.maxChars = maxChars;
    }

    public FastTextModel model() {
        return model;
    }

    @Override
    public Identification identify(String text) {
        if (!hasLetter(text)) return null;
        List<FastTextModel.Prediction> p = model.predict(LinguaIdentifier.prefix(text, maxChars), 1, 0.0);
        if (p.isEmpty()) return null;
        return new Identification(p.getFirst().label(), Math.min(1.0, p.getFirst().probability()));
    }

    private static boolean hasLetter(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isLetter(s.charAt(i))) return true;
        return false;
    }

    @Override
    public String describe() {
        return "fastText " + name + " probability";
    }
}
