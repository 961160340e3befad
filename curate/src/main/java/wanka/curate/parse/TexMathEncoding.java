package wanka.curate.parse;

import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDSimpleFont;
import org.apache.pdfbox.text.TextPosition;

import java.util.regex.Pattern;

/**
 * Unicode for the glyphs of TeX's math fonts, whose 128-slot encodings are fixed: OML (cmmi, cmmib, Latin Modern Math
 * Italic), OMS (cmsy, cmbsy, Latin Modern Math Symbols), OMX (cmex, Latin Modern Math Extension) and the AMS fonts msam
 * and msbm. PDF producers often give these fonts no usable Unicode: no {@code ToUnicode} map, a base encoding such as
 * WinAnsi that does not describe the font (code 12 is β in OML, not a control character), or a {@code ToUnicode} map
 * that sends β to {@code ´}. {@link #remap} replaces PDFBox's guess by the table entry of the glyph's code when the font
 * is such a math font and either has no {@code ToUnicode} map (PDFBox then guesses from glyph names, and the Adobe glyph
 * list reads TeX's names differently: {@code mu} → µ, {@code dblarrowleft} → ⇔) or its map gives something implausible:
 * empty, or a control, private-use or Latin-1 character the table does not have at that code.
 */
final class TexMathEncoding {
    private TexMathEncoding() {
    }

    /** OML, math italic: Greek, italic letters, old-style digits, harpoons, ∂, ℓ, ı, ȷ, ℘. */
    static final String[] OML = table(
            "Γ", "Δ", "Θ", "Λ", "Ξ", "Π", "Σ", "Υ", "Φ", "Ψ", "Ω", "α", "β", "γ", "δ", "ϵ",
            "ζ", "η", "θ", "ι", "κ", "λ", "μ", "ν", "ξ", "π", "ρ", "σ", "τ", "υ", "ϕ", "χ",
            "ψ", "ω", "ε", "ϑ", "ϖ", "ϱ", "ς", "φ", "↼", "↽", "⇀", "⇁", null, null, "▷", "◁",
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", ",", "<", "/", ">", "⋆",
            "∂", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
            "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "♭", "♮", "♯", "⌣", "⌢",
            "ℓ", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
            "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ı", "ȷ", "℘", "\u20D7", "⁀");

    /** OMS, math symbols: operators, relations, arrows, ∞ ∈ ∀ ∃ ∅ ∇, calligraphic capitals (as plain letters), delimiters. */
    static final String[] OMS = table(
            "−", "·", "×", "∗", "÷", "⋄", "±", "∓", "⊕", "⊖", "⊗", "⊘", "⊙", "◯", "∘", "∙",
            "≍", "≡", "⊆", "⊇", "≤", "≥", "⪯", "⪰", "∼", "≈", "⊂", "⊃", "≪", "≫", "≺", "≻",
            "←", "→", "↑", "↓", "↔", "↗", "↘", "≃", "⇐", "⇒", "⇑", "⇓", "⇔", "↖", "↙", "∝",
            "′", "∞", "∈", "∋", "△", "▽", "\u0338", null, "∀", "∃", "¬", "∅", "ℜ", "ℑ", "⊤", "⊥",
            "ℵ", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
            "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "∪", "∩", "⊎", "∧", "∨",
            "⊢", "⊣", "⌊", "⌋", "⌈", "⌉", "{", "}", "⟨", "⟩", "|", "‖", "↕", "⇕", "\\", "≀",
            "√", "⨿", "∇", "∫", "⊔", "⊓", "⊑", "⊒", "§", "†", "‡", "¶", "♣", "♢", "♡", "♠");

    /** OMX, math extension: delimiters in several sizes and their pieces, big operators, wide accents, radicals. */
    static final String[] OMX = table(
            "(", ")", "[", "]", "⌊", "⌋", "⌈", "⌉", "{", "}", "⟨", "⟩", "|", "‖", "/", "\\",
            "(", ")", "(", ")", "[", "]", "⌊", "⌋", "⌈", "⌉", "{", "}", "⟨", "⟩", "/", "\\",
            "(", ")", "[", "]", "⌊", "⌋", "⌈", "⌉", "{", "}", "⟨", "⟩", "/", "\\", "/", "\\",
            "⎛", "⎞", "⎡", "⎤", "⎣", "⎦", "⎢", "⎥", "⎧", "⎫", "⎩", "⎭", "⎨", "⎬", "⎪", "⏐",
            "⎝", "⎠", "⎜", "⎟", "⟨", "⟩", "⨆", "⨆", "∮", "∮", "⨀", "⨀", "⨁", "⨁", "⨂", "⨂",
            "∑", "∏", "∫", "⋃", "⋂", "⨄", "⋀", "⋁", "∑", "∏", "∫", "⋃", "⋂", "⨄", "⋀", "⋁",
            "∐", "∐", "\u0302", "\u0302", "\u0302", "\u0303", "\u0303", "\u0303", "[", "]", "⌊", "⌋", "⌈", "⌉", "{", "}",
            "√", "√", "√", "√", "⎷", "│", "┌", "‖", "↑", "↓", "⏞", "⏞", "⏟", "⏟", "⇑", "⇓");

    /** AMS symbols A (msam): boxed operators, arrows, relations; slots 0x39, 0x4B and 0x4C are left out. */
    static final String[] MSAM = table(
            "⊡", "⊞", "⊠", "□", "■", "▪", "◊", "⧫", "↻", "↺", "⇌", "⇋", "⊟", "⊩", "⊪", "⊨",
            "↠", "↞", "⇇", "⇉", "⇈", "⇊", "↾", "⇂", "↿", "⇃", "↣", "↢", "⇆", "⇄", "↰", "↱",
            "⇝", "↭", "↫", "↬", "≗", "≿", "≳", "⪆", "⊸", "∴", "∵", "≑", "≜", "≾", "≲", "⪅",
            "⪕", "⪖", "⋞", "⋟", "≼", "≦", "⩽", "≶", "‵", null, "≓", "≒", "≽", "≧", "⩾", "≷",
            "⊏", "⊐", "⊳", "⊲", "⊵", "⊴", "★", "≬", "▼", "▶", "◀", null, null, "△", "▲", "▽",
            "≖", "⋚", "⋛", "⪋", "⪌", "¥", "⇛", "⇚", "✓", "⊻", "⊼", "⩞", "∠", "∡", "∢", "∝",
            "⌣", "⌢", "⋐", "⋑", "⋓", "⋒", "⋏", "⋎", "⋋", "⋌", "⫅", "⫆", "≏", "≎", "⋘", "⋙",
            "⌜", "⌝", "®", "Ⓢ", "⋔", "∔", "∽", "⋍", "⌞", "⌟", "✠", "∁", "⊺", "⊚", "⊛", "⊝");

    /**
     * AMS symbols B (msbm): negated relations, blackboard-bold capitals (filled in by {@link #blackboard}), Hebrew
     * letters, ⋉ ⋊ and friends; slots whose symbol has no single code point (or is uncertain) are left out.
     */
    static final String[] MSBM = blackboard(table(
            null, null, "≰", "≱", "≮", "≯", "⊀", "⊁", null, null, null, null, null, null, "⋠", "⋡",
            "⋨", "⋩", "⋦", "⋧", null, null, "⪵", "⪶", "⪹", "⪺", "⪉", "⪊", "≁", "≇", "╱", "╲",
            "⊈", "⊉", null, null, null, null, null, null, "⊊", "⊋", null, null, "∦", "∤", null, null,
            "⊬", "⊮", "⊭", "⊯", "⋭", "⋬", "⋪", "⋫", "↚", "↛", "⇍", "⇏", "⇎", "↮", "⋇", "∅",
            "∄", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            "Ⅎ", "⅁", null, null, null, null, null, "ð", null, "ℶ", "ℷ", "ℸ", "⋖", "⋗", "⋉", "⋊",
            "∣", "∥", "∖", "∼", "≈", "≊", "⪸", "⪷", "↶", "↷", "ϝ", "ϰ", "\uD835\uDD5C", "ℏ", "ℏ", "϶"));

    private static final Pattern SUBSET = Pattern.compile("^[A-Z]{6}\\+");
    private static final Pattern OML_FONT = Pattern.compile("(?i)(cmmib?\\d*|lmmathitalic\\d*|rm-lmmib?\\d*)");
    private static final Pattern OMS_FONT = Pattern.compile("(?i)(cmb?sy\\d*|lmmathsymbols\\d*|rm-lmb?sy\\d*)");
    private static final Pattern OMX_FONT = Pattern.compile("(?i)(cmexb?\\d*|lmmathextension\\d*|yhcmex|rm-lmex\\d*)");
    private static final Pattern MSAM_FONT = Pattern.compile("(?i)msam\\d*");
    private static final Pattern MSBM_FONT = Pattern.compile("(?i)msbm\\d*");

    private static String[] table(String... slots) {
        if (slots.length != 128) throw new IllegalStateException("a TeX math encoding has 128 slots, not " + slots.length);
        return slots;
    }

    /** {@code t} with the blackboard-bold capitals 𝔸 … ℤ at the codes of A … Z. */
    private static String[] blackboard(String[] t) {
        String special = "CHNPQRZ", specialCp = "ℂℍℕℙℚℝℤ";
        for (char c = 'A'; c <= 'Z'; c++) {
            int k = special.indexOf(c);
            t[c] = k >= 0 ? specialCp.substring(k, k + 1) : Character.toString(0x1D538 + (c - 'A'));
        }
        return t;
    }

    /** The font name without a subset prefix such as {@code ABCDEF+}. */
    static String baseName(String fontName) {
        return fontName == null ? "" : SUBSET.matcher(fontName).replaceFirst("");
    }

    /** The encoding table of the TeX math font named {@code fontName} (subset prefix allowed), or null for other fonts. */
    static String[] tableFor(String fontName) {
        String base = baseName(fontName).replaceFirst("-[A-Za-z]+$", ""); // LMMathItalic10-Regular
        if (OML_FONT.matcher(base).matches()) return OML;
        if (OMS_FONT.matcher(base).matches()) return OMS;
        if (OMX_FONT.matcher(base).matches()) return OMX;
        if (MSAM_FONT.matcher(base).matches()) return MSAM;
        if (MSBM_FONT.matcher(base).matches()) return MSBM;
        return null;
    }

    /** The Unicode text of code {@code code} in the TeX math font {@code fontName}, or null when unknown. */
    static String unicode(String fontName, int code) {
        String[] t = tableFor(fontName);
        return t == null || code < 0 || code >= t.length ? null : t[code];
    }

    /**
     * Whether {@code given}, a PDF's Unicode for a glyph whose table entry is {@code expected}, cannot be right: empty,
     * or holding a control, private-use, replacement or Latin-1 Supplement character while differing from the table
     * (the symptoms of a producer that mapped codes, not glyphs).
     */
    static boolean implausible(String given, String expected) {
        if (given == null || given.isBlank()) return true;
        if (given.equals(expected)) return false;
        return given.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.PRIVATE_USE
                || c == 0xFFFD || (c >= 0x80 && c <= 0xFF));
    }

    /**
     * {@code text} with its Unicode replaced by the math-encoding table entry of its code when its font is a TeX math
     * font and PDFBox's Unicode cannot be trusted (see the class comment); {@code text} itself otherwise.
     */
    static TextPosition remap(TextPosition text) {
        PDFont font = text.getFont();
        int[] codes = text.getCharacterCodes();
        if (!(font instanceof PDSimpleFont) || codes == null || codes.length != 1) return text;
        String expected = unicode(font.getName(), codes[0]);
        if (expected == null) return text;
        String given = text.getUnicode();
        boolean hasToUnicode = font.getCOSObject().containsKey(COSName.TO_UNICODE);
        if (expected.equals(given) || (hasToUnicode && !implausible(given, expected))) return text;
        float[] widths = text.getIndividualWidths();
        return new TextPosition(text.getRotation(), text.getPageWidth(), text.getPageHeight(), text.getTextMatrix(),
                text.getEndX(), text.getEndY(), text.getHeight(), widths.length > 0 ? widths[0] : text.getWidth(),
                text.getWidthOfSpace(), expected, codes, font, text.getFontSize(), Math.round(text.getFontSizeInPt()));
    }
}
