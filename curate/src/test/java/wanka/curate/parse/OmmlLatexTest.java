package wanka.curate.parse;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OmmlLatexTest {

    private static String latex(String body) throws Exception {
        String xml = "<m:oMath xmlns:m=\"" + OmmlLatex.NS + "\">" + body + "</m:oMath>";
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        return OmmlLatex.latex(root);
    }

    private static String r(String t) {
        return "<m:r><m:t>" + t + "</m:t></m:r>";
    }

    @Test
    void simpleConstructs() throws Exception {
        assertEquals("\\frac{1}{n}", latex("<m:f><m:fPr/><m:num>" + r("1") + "</m:num><m:den>" + r("n") + "</m:den></m:f>"));
        assertEquals("x_{i}^{2}", latex("<m:sSubSup><m:e>" + r("x") + "</m:e><m:sub>" + r("i") + "</m:sub><m:sup>" + r("2") + "</m:sup></m:sSubSup>"));
        assertEquals("{ab}_{k}", latex("<m:sSub><m:e>" + r("ab") + "</m:e><m:sub>" + r("k") + "</m:sub></m:sSub>"));
        assertEquals("\\sqrt{x+1}", latex("<m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/><m:e>" + r("x+1") + "</m:e></m:rad>"));
        assertEquals("\\sqrt[3]{y}", latex("<m:rad><m:deg>" + r("3") + "</m:deg><m:e>" + r("y") + "</m:e></m:rad>"));
        assertEquals("[a,b]", latex("<m:d><m:dPr><m:begChr m:val=\"[\"/><m:endChr m:val=\"]\"/><m:sepChr m:val=\",\"/></m:dPr><m:e>" + r("a") + "</m:e><m:e>" + r("b") + "</m:e></m:d>"));
        assertEquals("\\sum_{i=1}^{n} i", latex("<m:nary><m:naryPr><m:chr m:val=\"∑\"/></m:naryPr><m:sub>" + r("i=1") + "</m:sub><m:sup>" + r("n") + "</m:sup><m:e>" + r("i") + "</m:e></m:nary>"));
    }

    @Test
    void unknownConstructsFallBackToText() throws Exception {
        assertEquals("x=y", latex("<m:eqArr><m:e>" + r("x=y") + "</m:e></m:eqArr>"));
    }
}
