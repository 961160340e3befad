package wanka.cli;

import java.util.List;

/** A small SVG line chart of one value per labelled point (model versions in order), the lowest marked. */
final class PplPlot {
    private PplPlot() {
    }

    static String svg(List<String> labels, double[] values, String title) {
        int w = Math.max(480, 80 * labels.size() + 120), h = 360, left = 70, right = 30, top = 40, bottom = 110;
        double min = java.util.Arrays.stream(values).min().orElse(0), max = java.util.Arrays.stream(values).max().orElse(1);
        if (max - min < 1e-9) {
            max += 0.5;
            min -= 0.5;
        }
        double pad = (max - min) * 0.1;
        double lo = min - pad, hi = max + pad;
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] < values[best]) best = i;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        sb.append(String.format("<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", left, esc(title)));
        int pw = w - left - right, ph = h - top - bottom;
        sb.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, top, left, top + ph));
        sb.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, top + ph, left + pw, top + ph));
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double y = top + ph - ph * (v - lo) / (hi - lo);
            sb.append(String.format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>%n",
                    left, y, left + pw, y, left - 6, y + 4, v));
        }
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            double x = left + (values.length == 1 ? pw / 2.0 : pw * i / (double) (values.length - 1));
            double y = top + ph - ph * (values[i] - lo) / (hi - lo);
            path.append(i == 0 ? "M" : " L").append(String.format("%.1f %.1f", x, y));
            sb.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>%n", x, y, i == best ? 6 : 4, i == best ? "#d62728" : "#1f77b4"));
            sb.append(String.format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.3f</text>%n", x, y - 10, values[i]));
            sb.append(String.format("<text transform=\"translate(%.1f %d) rotate(35)\">%s</text>%n", x - 4, top + ph + 16, esc(labels.get(i))));
        }
        sb.append(String.format("<path d=\"%s\" fill=\"none\" stroke=\"#1f77b4\"/>%n", path));
        sb.append(String.format("<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">PPL</text>%n", top + ph / 2));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
