package wanka.plan;

import java.util.Locale;

/** A small builder of inline SVG (well-formed XML, no scripts) for the HTML report's charts. */
final class Svg {
    private final StringBuilder sb = new StringBuilder();

    Svg(double width, double height, String label) {
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height, width, height, esc(label)));
    }

    /** XML-escapes text for element content and attribute values. */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    Svg rect(double x, double y, double w, double h, String fill, String title) {
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"",
                x, y, Math.max(0, w), Math.max(0, h), fill));
        if (title == null) sb.append("/>\n");
        else sb.append("><title>").append(esc(title)).append("</title></rect>\n");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, double width, boolean dashed) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                x1, y1, x2, y2, stroke, width, dashed ? " stroke-dasharray=\"5,4\"" : ""));
        return this;
    }

    /** Text anchored at start, middle or end. */
    Svg text(double x, double y, String s, String anchor, String fill, double size) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" fill=\"%s\" font-size=\"%.1f\">%s</text>%n",
                x, y, anchor, fill, size, esc(s)));
        return this;
    }

    /** Text rotated by −90° about (x, y), for a vertical axis title. */
    Svg vtext(double x, double y, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" transform=\"rotate(-90 %.2f %.2f)\">%s</text>%n",
                x, y, x, y, esc(s)));
        return this;
    }

    Svg circle(double x, double y, double r, String fill, String stroke, String title) {
        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\"", x, y, r, fill, stroke));
        if (title == null) sb.append("/>\n");
        else sb.append("><title>").append(esc(title)).append("</title></circle>\n");
        return this;
    }

    /** A polyline through the points x0 y0 x1 y1 …. */
    Svg polyline(double[] xy, String stroke, double width) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(stroke).append("\" stroke-width=\"").append(width).append("\" points=\"");
        for (int i = 0; i + 1 < xy.length; i += 2) sb.append(String.format(Locale.ROOT, "%.2f,%.2f ", xy[i], xy[i + 1]));
        sb.append("\"/>\n");
        return this;
    }

    /** A legend row of colour swatches and names starting at (x, y); returns the x after the last entry. */
    double legend(double x, double y, String[] names, String[] colors) {
        for (int i = 0; i < names.length; i++) {
            rect(x, y - 10, 12, 12, colors[i], null);
            text(x + 16, y, names[i], "start", "#222", 12);
            x += 28 + 7 * names[i].length();
        }
        return x;
    }

    @Override
    public String toString() {
        return sb + "</svg>\n";
    }
}
