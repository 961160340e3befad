package wanka.curate.clean;

import wanka.curate.pipeline.TextFilter;
import wanka.curate.pipeline.StepOptions;

/**
 * FineWeb quality rules as datatrove's {@code FineWebQualityFilter} (defaults unchanged since 2024-04), over lines
 * split on {@code \n}. Drops the document with
 * <ul>
 *   <li>{@code fineweb_line_punct_ratio}: lines ending in terminal punctuation (. ' " ! ? and CJK 。！？”’」』) ÷ lines
 *       ≤ {@code line_punct_thr} (0.12), unless the ratio is 0 and {@code line_punct_exclude_zero} (false);</li>
 *   <li>{@code fineweb_short_line_ratio}: lines of at most {@code short_line_length} (30) chars ÷ lines ≥
 *       {@code short_line_thr} (0.67);</li>
 *   <li>{@code fineweb_char_dup_ratio}: characters of repeated non-empty lines (after their first occurrence) ÷
 *       characters other than newlines ≥ {@code char_duplicates_ratio} (0.01);</li>
 *   <li>{@code fineweb_list_ratio}: newlines ÷ words &gt; {@code new_line_ratio} (0.3), words counted with
 *       {@link Words} (symbols included, like NLTK tokens; each CJK character is a word).</li>
 * </ul>
 */
public record FineWebQuality(double linePunctThr, boolean linePunctExcludeZero, double shortLineThr, int shortLineLength,
                             double charDuplicatesRatio, double newLineRatio) implements TextFilter {

    /** Builds the step from its config options (datatrove defaults). */
    public static FineWebQuality from(StepOptions o) {
        return new FineWebQuality(o.number("line_punct_thr", 0.12), o.bool("line_punct_exclude_zero", false),
                o.number("short_line_thr", 0.67), o.integer("short_line_length", 30),
                o.number("char_duplicates_ratio", 0.01), o.number("new_line_ratio", 0.3));
    }

    public static FineWebQuality defaults() {
        return from(StepOptions.of("fineweb_quality"));
    }

    @Override
    public String name() {
        return "fineweb_quality";
    }

    @Override
    public String check(String text) {
        String[] lines = text.split("\n", -1);
        int punct = 0, shortLines = 0, nonEmpty = 0;
        for (String l : lines) {
            if (Punctuation.endsTerminal(l)) punct++;
            if (l.length() <= shortLineLength) shortLines++;
            if (!l.isBlank()) nonEmpty++;
        }
        double ratio = (double) punct / lines.length;
        if (ratio <= linePunctThr && !(ratio == 0 && linePunctExcludeZero)) return "fineweb_line_punct_ratio";
        if ((double) shortLines / lines.length >= shortLineThr) return "fineweb_short_line_ratio";
        String[] ne = new String[nonEmpty];
        int k = 0;
        for (String l : lines) if (!l.isBlank()) ne[k++] = l;
        int newlines = lines.length - 1;
        int chars = text.length() - newlines;
        if (chars > 0 && (double) GopherRepetition.duplicates(ne)[1] / chars >= charDuplicatesRatio) return "fineweb_char_dup_ratio";
        int words = Words.of(text).size();
        if (words == 0 || (double) newlines / words > newLineRatio) return "fineweb_list_ratio";
        return null;
    }
}
