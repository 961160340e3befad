package wanka.curate.clean;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepOptions;

import java.text.Normalizer;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Unicode and layout normalisation, in this order: line breaks {@code \r\n}/{@code \r} → {@code \n}; NFKC
 * (full-width letters/digits/punctuation → half-width, compatibility forms folded); optional traditional →
 * simplified Chinese; punctuation unification; removal of control and format characters (keeping {@code \n},
 * {@code \t}, ZWJ and ZWNJ) and of unpaired surrogates; every Unicode space → {@code ' '}; runs of two or more
 * spaces/tabs collapsed to one space (a lone tab stays); lines trimmed; at most {@code maxBlankLines} consecutive blank lines; leading/trailing blank lines removed.
 *
 * <p>Options: {@code nfkc} (true), {@code t2s} (false), {@code punctuation}: {@code keep} (default), {@code half}
 * (CJK/typographic punctuation → ASCII, like CCNet's {@code normalize_punct}: 。→. 、→, “”「」《》→" ‘’→' …→...)
 * or {@code full} (ASCII {@code , . ! ? : ; ( )} next to a CJK character → full-width ，。！？：；（）, the
 * convention of Chinese text that NFKC undoes), {@code collapse_spaces} (true), {@code trim_lines} (true),
 * {@code max_blank_lines} (1).
 */
public record Normalize(boolean nfkc, TraditionalToSimplified t2s, Punctuation punctuation, boolean collapseSpaces,
                        boolean trimLines, int maxBlankLines) implements Step {

    /** How punctuation is unified. */
    public enum Punctuation { KEEP, HALF, FULL }

    public Normalize {
        if (maxBlankLines < 0) throw new IllegalArgumentException("step 'normalize': option 'max_blank_lines' must be >= 0, got " + maxBlankLines);
    }

    /** Builds the step from its config options, loading the t2s table when asked for. */
    public static Normalize from(StepOptions o) {
        return from(o, TraditionalToSimplified::load);
    }

    /** Builds the step from its config options, taking the t2s table from {@code table} when {@code t2s} is on. */
    public static Normalize from(StepOptions o, Supplier<TraditionalToSimplified> table) {
        String p = o.string("punctuation", "keep");
        Punctuation punct = switch (p.toLowerCase(Locale.ROOT)) {
            case "keep" -> Punctuation.KEEP;
            case "half" -> Punctuation.HALF;
            case "full" -> Punctuation.FULL;
            default -> throw new IllegalArgumentException("step 'normalize': option 'punctuation' must be keep, half or full, got " + p);
        };
        return new Normalize(o.bool("nfkc", true), o.bool("t2s", false) ? table.get() : null, punct,
                o.bool("collapse_spaces", true), o.bool("trim_lines", true), o.integer("max_blank_lines", 1));
    }

    @Override
    public String name() {
        return "normalize";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        String out = normalize(doc.text());
        if (out.equals(doc.text())) return doc;
        ctx.count("chars_removed", doc.text().length() - out.length());
        return doc.withText(out);
    }

    /** The normalised text. */
    public String normalize(String text) {
        String s = text;
        if (nfkc && !Normalizer.isNormalized(s, Normalizer.Form.NFKC)) s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(s.length());
        int lineStart = 0;      // index in out where the current line starts
        int blankRun = 0;       // consecutive blank lines already written
        int pendingWs = 0;      // horizontal whitespace seen since the last kept character
        int pendingCh = ' ';
        int prevCp = -1;        // previous kept non-space code point on this line
        int n = s.length();
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\r') {
                if (i < n && s.charAt(i) == '\n') continue;
                cp = '\n';
            }
            if (cp == '\n') {
                boolean blank = out.length() == lineStart;
                if (blank) {
                    if (lineStart == 0 || blankRun >= maxBlankLines) { pendingWs = 0; continue; }
                    blankRun++;
                } else {
                    blankRun = 0;
                }
                if (pendingWs > 0 && !trimLines) out.append(pendingWs == 1 ? (char) pendingCh : ' ');
                out.append('\n');
                lineStart = out.length();
                pendingWs = 0;
                prevCp = -1;
                continue;
            }
            if (cp == '\t' || Character.isSpaceChar(cp) || cp == 0x0B || cp == 0x0C || cp == 0x85) {
                int ch = cp == '\t' ? '\t' : ' ';
                if (collapseSpaces) {
                    pendingWs++;
                    pendingCh = ch;
                } else if (!(trimLines && out.length() == lineStart)) {
                    out.append((char) ch);
                }
                continue;
            }
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.SURROGATE || (type == Character.FORMAT && cp != 0x200C && cp != 0x200D)) continue;
            if (t2s != null) cp = t2s.map(cp);
            if (pendingWs > 0) {
                if (!(trimLines && out.length() == lineStart)) out.append(pendingWs == 1 ? (char) pendingCh : ' ');
                pendingWs = 0;
            }
            switch (punctuation) {
                case KEEP -> out.appendCodePoint(cp);
                case HALF -> appendHalf(out, cp);
                case FULL -> {
                    int next = i < n ? s.codePointAt(i) : -1;
                    out.appendCodePoint(full(cp, prevCp, next));
                }
            }
            prevCp = cp;
        }
        if (trimLines) trimTrailing(out, lineStart);
        // trailing blank lines
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '\n') end--;
        out.setLength(end);
        return out.toString();
    }

    private static void trimTrailing(StringBuilder out, int from) {
        int e = out.length();
        while (e > from && (out.charAt(e - 1) == ' ' || out.charAt(e - 1) == '\t')) e--;
        out.setLength(e);
    }

    private static void appendHalf(StringBuilder out, int cp) {
        switch (cp) {
            case '。', '｡' -> out.append('.');
            case '、', '，' -> out.append(',');
            case '“', '”', '„', '«', '»', '「', '」', '『', '』', '《', '》', '〈', '〉' -> out.append('"');
            case '‘', '’', '‚', '′' -> out.append('\'');
            case '：', '∶' -> out.append(':');
            case '；' -> out.append(';');
            case '？' -> out.append('?');
            case '！' -> out.append('!');
            case '（' -> out.append('(');
            case '）' -> out.append(')');
            case '【', '〔' -> out.append('[');
            case '】', '〕' -> out.append(']');
            case '～', '〜' -> out.append('~');
            case '–', '—', '―' -> out.append('-');
            case '…' -> out.append("...");
            default -> out.appendCodePoint(cp);
        }
    }

    private static int full(int cp, int prev, int next) {
        if (cp == '(') return next >= 0 && Words.isCjk(next) ? '（' : cp;
        if (prev < 0 || !Words.isCjk(prev)) return cp;
        return switch (cp) {
            case ',' -> '，';
            case '.' -> '。';
            case '!' -> '！';
            case '?' -> '？';
            case ':' -> '：';
            case ';' -> '；';
            case ')' -> '）';
            default -> cp;
        };
    }
}
