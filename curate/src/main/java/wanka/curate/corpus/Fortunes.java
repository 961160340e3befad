package wanka.curate.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The fortune-cookie file format: entries separated by lines holding a single {@code %}. */
public final class Fortunes {
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");

    private Fortunes() {
    }

    /**
     * The entries of a fortune file, with ANSI colour codes removed, trailing spaces of each line removed and
     * leading/trailing blank lines dropped; empty entries are skipped.
     */
    public static List<String> entries(String file) {
        List<String> out = new ArrayList<>();
        StringBuilder entry = new StringBuilder();
        for (String line : stripAnsi(file).split("\r?\n", -1)) {
            if (line.equals("%")) {
                add(out, entry);
                entry.setLength(0);
            } else {
                entry.append(line.stripTrailing()).append('\n');
            }
        }
        add(out, entry);
        return out;
    }

    /** {@code s} without ANSI escape sequences such as {@code ESC[33m}. */
    public static String stripAnsi(String s) {
        return ANSI.matcher(s).replaceAll("");
    }

    private static void add(List<String> out, StringBuilder entry) {
        String s = entry.toString().replaceAll("^\\n+|\\n+$", "");
        if (!s.isBlank()) out.add(s);
    }
}
