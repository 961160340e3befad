package wanka.curate.parse;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.util.Map;

/**
 * Office Math (OMML) to LaTeX for the simple constructs: fractions, sub/superscripts, radicals, delimiters and n-ary
 * operators (sums, products, integrals). Anything else contributes the LaTeX of its children, which for plain runs is
 * their text.
 */
final class OmmlLatex {
    static final String NS = "http://schemas.openxmlformats.org/officeDocument/2006/math";
    private static final Map<String, String> NARY = Map.of("∑", "\\sum", "∏", "\\prod", "∫", "\\int", "∬", "\\iint", "∮", "\\oint", "⋃", "\\bigcup", "⋂", "\\bigcap");

    private OmmlLatex() {
    }

    /** The LaTeX of an OMML element ({@code m:oMath} or any part of one). */
    /**
     * An Office Math element as it stands in running text: {@code $$…$$} for {@code m:oMathPara} (a display),
     * {@code $…$} for {@code m:oMath}; null for any other element.
     */
    static String delimited(org.w3c.dom.Element e) {
        if (!NS.equals(e.getNamespaceURI())) return null;
        return switch (e.getLocalName()) {
            case "oMathPara" -> "$$" + latex(e) + "$$";
            case "oMath" -> "$" + latex(e) + "$";
            default -> null;
        };
    }

    static String latex(Node node) {
        if (!(node instanceof Element e) || !NS.equals(e.getNamespaceURI())) return children(node);
        return switch (e.getLocalName()) {
            case "t" -> DomText.of(e);
            case "f" -> "\\frac{" + part(e, "num") + "}{" + part(e, "den") + "}";
            case "sSub" -> base(e) + "_{" + part(e, "sub") + "}";
            case "sSup" -> base(e) + "^{" + part(e, "sup") + "}";
            case "sSubSup" -> base(e) + "_{" + part(e, "sub") + "}^{" + part(e, "sup") + "}";
            case "sPre" -> "{}_{" + part(e, "sub") + "}^{" + part(e, "sup") + "}" + base(e);
            case "rad" -> {
                String deg = part(e, "deg");
                yield "\\sqrt" + (deg.isEmpty() ? "" : "[" + deg + "]") + "{" + part(e, "e") + "}";
            }
            case "d" -> delimiter(e);
            case "nary" -> nary(e);
            default -> e.getLocalName().endsWith("Pr") ? "" : children(e);
        };
    }

    private static String children(Node node) {
        StringBuilder sb = new StringBuilder();
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) if (c instanceof Element) sb.append(latex(c));
        return sb.toString();
    }

    /** The LaTeX of the first child {@code m:name}, "" when absent. */
    private static String part(Element e, String name) {
        Element p = child(e, name);
        return p == null ? "" : children(p);
    }

    /** The base {@code m:e}, braced unless a single character. */
    private static String base(Element e) {
        String b = part(e, "e");
        return b.codePointCount(0, b.length()) == 1 ? b : "{" + b + "}";
    }

    private static String delimiter(Element e) {
        Element pr = child(e, "dPr");
        String beg = property(pr, "begChr", "("), end = property(pr, "endChr", ")"), sep = property(pr, "sepChr", "|");
        StringBuilder sb = new StringBuilder(beg);
        boolean first = true;
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element ce && NS.equals(ce.getNamespaceURI()) && "e".equals(ce.getLocalName())) {
                if (!first) sb.append(sep);
                sb.append(children(ce));
                first = false;
            }
        }
        return sb.append(end).toString();
    }

    private static String nary(Element e) {
        String chr = property(child(e, "naryPr"), "chr", "∫");
        StringBuilder sb = new StringBuilder(NARY.getOrDefault(chr, chr));
        String sub = part(e, "sub"), sup = part(e, "sup");
        if (!sub.isEmpty()) sb.append("_{").append(sub).append('}');
        if (!sup.isEmpty()) sb.append("^{").append(sup).append('}');
        return sb.append(' ').append(part(e, "e")).toString();
    }

    /** The {@code m:val} of property {@code name} inside {@code pr}, or the default. */
    private static String property(Element pr, String name, String dflt) {
        Element p = pr == null ? null : child(pr, name);
        if (p == null) return dflt;
        String v = p.getAttributeNS(NS, "val");
        return p.hasAttributeNS(NS, "val") ? v : dflt;
    }

    private static Element child(Element e, String name) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling())
            if (c instanceof Element ce && NS.equals(ce.getNamespaceURI()) && name.equals(ce.getLocalName())) return ce;
        return null;
    }
}
