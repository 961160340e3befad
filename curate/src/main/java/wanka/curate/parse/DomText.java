package wanka.curate.parse;

import org.w3c.dom.Node;

/** The character data under a DOM node (XMLBeans' DOM lacks Level 3 {@code getTextContent}). */
final class DomText {
    private DomText() {
    }

    static String of(Node node) {
        if (node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE) return node.getNodeValue();
        StringBuilder sb = new StringBuilder();
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) sb.append(of(c));
        return sb.toString();
    }
}
