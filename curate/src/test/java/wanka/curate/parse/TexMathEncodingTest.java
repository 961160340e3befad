package wanka.curate.parse;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSInteger;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TexMathEncodingTest {
    @TempDir
    Path dir;

    @Test
    void fontNamesSelectTheirEncoding() {
        assertSame(TexMathEncoding.OML, TexMathEncoding.tableFor("ABCDEF+CMMI10"));
        assertSame(TexMathEncoding.OML, TexMathEncoding.tableFor("CMMIB10"));
        assertSame(TexMathEncoding.OML, TexMathEncoding.tableFor("OGCMBX+LMMathItalic10-Regular"));
        assertSame(TexMathEncoding.OMS, TexMathEncoding.tableFor("ACBUSE+CMSY9"));
        assertSame(TexMathEncoding.OMS, TexMathEncoding.tableFor("CMBSY7"));
        assertSame(TexMathEncoding.OMS, TexMathEncoding.tableFor("HZLCRA+LMMathSymbols8-Regular"));
        assertSame(TexMathEncoding.OMX, TexMathEncoding.tableFor("HDHNHN+CMEX10"));
        assertSame(TexMathEncoding.OMX, TexMathEncoding.tableFor("HVJNUG+LMMathExtension10-Regular"));
        assertSame(TexMathEncoding.MSAM, TexMathEncoding.tableFor("VEHFYS+MSAM10"));
        assertSame(TexMathEncoding.MSBM, TexMathEncoding.tableFor("MSBM7"));
        assertNull(TexMathEncoding.tableFor("ABCDEF+CMR10"));
        assertNull(TexMathEncoding.tableFor("LMRoman10-Regular"));
        assertNull(TexMathEncoding.tableFor("Helvetica"));
        assertNull(TexMathEncoding.tableFor(null));
    }

    @Test
    void tablesGiveTheTexGlyphs() {
        assertEquals("β", TexMathEncoding.unicode("CMMI10", 0x0C));
        assertEquals("ω", TexMathEncoding.unicode("CMMI10", 0x21));
        assertEquals("∂", TexMathEncoding.unicode("CMMI10", 0x40));
        assertEquals("x", TexMathEncoding.unicode("CMMI10", 'x'));
        assertEquals("/", TexMathEncoding.unicode("CMMI10", 0x3D));
        assertEquals("−", TexMathEncoding.unicode("CMSY10", 0x00));
        assertEquals("∞", TexMathEncoding.unicode("CMSY10", 0x31));
        assertEquals("∈", TexMathEncoding.unicode("CMSY10", 0x32));
        assertEquals("∀", TexMathEncoding.unicode("CMSY10", 0x38));
        assertEquals("⊤", TexMathEncoding.unicode("CMSY10", 0x3E));
        assertEquals("∑", TexMathEncoding.unicode("CMEX10", 0x50));
        assertEquals("∫", TexMathEncoding.unicode("CMEX10", 0x5A));
        assertEquals("∏", TexMathEncoding.unicode("CMEX10", 0x51));
        assertEquals("ℝ", TexMathEncoding.unicode("MSBM10", 'R'));
        assertEquals("\uD835\uDD38", TexMathEncoding.unicode("MSBM10", 'A'));
        assertEquals("∴", TexMathEncoding.unicode("MSAM10", 0x29));
        assertEquals("⋉", TexMathEncoding.unicode("MSBM10", 0x6E));
        assertEquals("≰", TexMathEncoding.unicode("MSBM10", 0x02));
        assertNull(TexMathEncoding.unicode("CMMI10", 200));
        assertNull(TexMathEncoding.unicode("CMR10", 0x0C));
    }

    @Test
    void onlyImplausibleMappingsAreReplaced() {
        assertTrue(TexMathEncoding.implausible(null, "β"));
        assertTrue(TexMathEncoding.implausible(" ", "∑"));
        assertTrue(TexMathEncoding.implausible("´", "β"));
        assertTrue(TexMathEncoding.implausible("\u000C", "β"));
        assertTrue(TexMathEncoding.implausible("\uE000", "β"));
        assertFalse(TexMathEncoding.implausible("β", "β"));
        assertFalse(TexMathEncoding.implausible("¶", "¶"));
        assertFalse(TexMathEncoding.implausible("𝛽", "β")); // a ToUnicode map may choose math italic; that is fine
    }

    /** A Type 1 font dictionary named {@code name}, not embedded, 500 units wide, optionally with a ToUnicode map. */
    private static COSDictionary font(PDDocument doc, String name, String toUnicode) throws IOException {
        COSDictionary f = new COSDictionary();
        f.setItem(COSName.TYPE, COSName.FONT);
        f.setItem(COSName.SUBTYPE, COSName.TYPE1);
        f.setName(COSName.BASE_FONT, name);
        f.setInt(COSName.FIRST_CHAR, 0);
        f.setInt(COSName.LAST_CHAR, 127);
        COSArray widths = new COSArray();
        for (int i = 0; i < 128; i++) widths.add(COSInteger.get(500));
        f.setItem(COSName.WIDTHS, widths);
        if (toUnicode != null) {
            COSStream cmap = doc.getDocument().createCOSStream();
            try (OutputStream out = cmap.createOutputStream()) {
                out.write(toUnicode.getBytes(StandardCharsets.US_ASCII));
            }
            f.setItem(COSName.TO_UNICODE, cmap);
        }
        return f;
    }

    private static final String BROKEN_CMAP = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Test-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <00> <FF>
            endcodespacerange
            3 beginbfchar
            <0B> <03B1>
            <0C> <00B4>
            <78> <0078>
            endbfchar
            endcmap
            CMapName currentdict /CMap defineresource pop
            end
            end
            """;

    @Test
    void pdfMathFontsWithoutUsableUnicodeComeOutAsTheirSymbols() throws IOException {
        Path file = dir.resolve("math.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            PDResources res = new PDResources();
            res.put(COSName.getPDFName("F1"), new PDType1Font(font(doc, "ABCDEF+CMMI10", null)));
            res.put(COSName.getPDFName("F2"), new PDType1Font(font(doc, "GHIJKL+LMMathItalic10-Regular", BROKEN_CMAP)));
            res.put(COSName.getPDFName("F3"), new PDType1Font(font(doc, "MNOPQR+CMSY10", null)));
            res.put(COSName.getPDFName("F4"), new PDType1Font(font(doc, "STUVWX+CMR10", null)));
            page.setResources(res);
            String content = """
                    BT /F1 12 Tf 72 700 Td <0B0C21> Tj ET
                    BT /F2 12 Tf 72 660 Td <0B0C78> Tj ET
                    BT /F3 12 Tf 72 620 Td <313238> Tj ET
                    BT /F4 12 Tf 72 580 Td (abc) Tj ET
                    """;
            page.setContents(new PDStream(doc, new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII))));
            doc.save(file.toFile());
        }
        String text;
        try (PDDocument doc = Loader.loadPDF(file.toFile())) {
            text = new PdfLayoutStripper().layout(doc);
        }
        assertTrue(text.contains("αβω"), text);   // no ToUnicode: the OML table, not the standard encoding's "!"
        assertTrue(text.contains("αβx"), text);   // ToUnicode β → ´ is implausible; α and x are kept
        assertFalse(text.contains("´"), text);
        assertTrue(text.contains("∞∈∀"), text);   // OMS
        assertTrue(text.contains("abc"), text);   // text fonts are left alone
    }
}
