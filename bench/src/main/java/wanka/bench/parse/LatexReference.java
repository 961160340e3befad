package wanka.bench.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A rough LaTeX/Sweave-to-text converter that yields the ground truth for {@link ParserEval}: the reference text (commands
 * stripped, the text inside their brace arguments kept; comments, the preamble, labels/citations/graphics dropped;
 * verbatim and echoed R code kept as is), the math items (inline and display), and the {@code tabular} environments
 * with their cells. Math is cut out of the text (it is scored separately). Not a TeX engine: macros are not expanded.
 */
final class LatexReference {
    /** One math item: its LaTeX source and whether it was display math. */
    record Math(String latex, boolean display) {
    }

    /** The reference extracted from a set of sources. */
    record Result(String text, List<Math> math, List<List<String>> tables, int generatedTableChunks) {
    }

    private static final List<String> VERBATIM = List.of("verbatim", "Verbatim", "example", "sourcecode", "lstlisting", "Sinput", "Soutput", "Scode", "alltt");
    private static final List<String> DROP_ENV = List.of("tikzpicture", "thebibliography", "filecontents");
    private static final Pattern MATH_ENV = Pattern.compile(
            "\\\\begin\\{(equation|align|gather|multline|eqnarray|displaymath|math|flalign|alignat)(\\*?)\\}(.*?)\\\\end\\{\\1\\2\\}", Pattern.DOTALL);
    private static final Pattern TABULAR = Pattern.compile(
            "\\\\begin\\{(tabular\\*?|tabularx|longtable)\\}(.*?)\\\\end\\{\\1\\}", Pattern.DOTALL);
    /** Commands dropped together with their arguments. */
    private static final Set<String> DROP = Set.of("label", "ref", "pageref", "eqref", "autoref", "cref", "cite", "citep", "citet",
            "nocite", "includegraphics", "usepackage", "documentclass", "newcommand", "renewcommand", "providecommand",
            "newenvironment", "renewenvironment", "setlength", "addtolength", "setcounter", "addtocounter", "vspace", "hspace",
            "input", "include", "index", "bibliographystyle", "bibliography", "pagestyle", "thispagestyle", "linespread",
            "color", "definecolor", "hypersetup", "SweaveOpts", "Sexpr", "VignetteIndexEntry", "VignetteEngine",
            "VignetteDepends", "VignetteKeyword", "captionsetup", "setkeys", "newpage", "clearpage", "cline", "multicolumn_spec",
            "rule", "makebox_spec", "nomenclature", "hline", "toprule", "midrule", "bottomrule", "centering", "small", "footnotesize",
            "scriptsize", "tiny", "large", "Large", "LARGE", "huge", "Huge", "normalsize", "noindent", "maketitle", "tableofcontents",
            "listoftables", "listoffigures", "def", "let", "fontsize", "selectfont", "raggedright", "raggedleft", "par", "smallskip",
            "medskip", "bigskip", "protect", "phantom", "vfill", "hfill", "arraystretch", "renewrobustcmd");
    private static final Map<String, String> SYMBOLS = Map.ofEntries(Map.entry("LaTeX", "LaTeX"), Map.entry("TeX", "TeX"),
            Map.entry("LaTeXe", "LaTeX2ε"), Map.entry("ldots", "…"), Map.entry("dots", "…"), Map.entry("item", "\n"),
            Map.entry("textbackslash", "\\"), Map.entry("S", "§"), Map.entry("copyright", "©"), Map.entry("today", ""),
            Map.entry("textasciitilde", "~"), Map.entry("textbar", "|"), Map.entry("textless", "<"), Map.entry("textgreater", ">"));

    private LatexReference() {
    }

    static Result read(List<Path> files) throws IOException {
        StringBuilder text = new StringBuilder();
        List<Math> math = new ArrayList<>();
        List<List<String>> tables = new ArrayList<>();
        int generated = 0;
        for (Path f : files) {
            String src = load(f);
            String name = f.getFileName().toString();
            if (name.endsWith(".Rnw") || name.endsWith(".Rnw.gz")) {
                int[] gen = new int[1];
                src = sweave(src, gen);
                generated += gen[0];
            }
            text.append(convert(src, math, tables)).append("\n\n");
        }
        return new Result(text.toString(), math, tables, generated);
    }

    static String load(Path f) throws IOException {
        try (InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Replaces Sweave code chunks: echoed code becomes a verbatim block, hidden code disappears; counts table-producing chunks. */
    static String sweave(String src, int[] generatedTables) {
        StringBuilder out = new StringBuilder();
        String[] lines = src.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("<<") && l.stripTrailing().endsWith(">>=")) {
                String opts = l.replace(" ", "");
                StringBuilder body = new StringBuilder();
                int j = i + 1;
                while (j < lines.length && !lines[j].startsWith("@")) body.append(lines[j++]).append('\n');
                i = j;
                boolean echo = !opts.contains("echo=FALSE") && !opts.contains("echo=F,") && !opts.contains("echo=F>");
                if (opts.contains("results=tex") || opts.contains("results=\"asis\"") || opts.contains("results='asis'")) {
                    if (body.toString().contains("xtable") || body.toString().contains("print(")) generatedTables[0]++;
                }
                if (echo && !body.isEmpty()) out.append("\\begin{Sinput}\n").append(body).append("\\end{Sinput}\n");
            } else {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    /** Converts one source to text, collecting its math items and tables. */
    static String convert(String src, List<Math> math, List<List<String>> tables) {
        List<String> verbatim = new ArrayList<>();
        src = protectVerbatim(src, verbatim);
        src = src.replaceAll("(?m)(?<!\\\\)%.*$", "");
        if (src.contains("\\documentclass")) {
            int b = src.indexOf("\\begin{document}");
            if (b >= 0) src = src.substring(b + "\\begin{document}".length());
        }
        int e = src.indexOf("\\end{document}");
        if (e >= 0) src = src.substring(0, e);
        for (String env : DROP_ENV) src = src.replaceAll("(?s)\\\\begin\\{" + env + "\\}.*?\\\\end\\{" + env + "\\}", " ");
        // tables first (their cells may hold inline math, which is then also counted below)
        Matcher t = TABULAR.matcher(src);
        StringBuilder sb = new StringBuilder();
        while (t.find()) {
            String body = skipSpec(t.group(2), t.group(1));
            List<String> cells = new ArrayList<>();
            for (String row : body.split("\\\\\\\\")) for (String c : row.split("(?<!\\\\)&")) {
                String s = plain(c.replaceAll("\\$", "")).strip();
                if (!s.isEmpty()) cells.add(s);
            }
            tables.add(cells);
            t.appendReplacement(sb, Matcher.quoteReplacement("\n" + body.replaceAll("(?<!\\\\)&", " ").replace("\\\\", "\n") + "\n"));
        }
        t.appendTail(sb);
        src = sb.toString();
        src = cutMath(src, math);
        String out = plain(src);
        for (int i = 0; i < verbatim.size(); i++) out = out.replace("\u0000V" + i + "\u0000", verbatim.get(i));
        return out;
    }

    private static String skipSpec(String body, String env) {
        int[] pos = {0};
        if (env.startsWith("tabular*") || env.equals("tabularx")) group(body, pos); // width
        skipSpace(body, pos);
        if (pos[0] < body.length() && body.charAt(pos[0]) == '[') bracket(body, pos);
        group(body, pos); // column spec
        return body.substring(pos[0]);
    }

    private static String protectVerbatim(String src, List<String> store) {
        for (String env : VERBATIM) {
            Matcher m = Pattern.compile("(?s)\\\\begin\\{" + env + "\\}(?:\\[[^\\]]*\\])?(.*?)\\\\end\\{" + env + "\\}").matcher(src);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                store.add("\n" + m.group(1) + "\n");
                m.appendReplacement(sb, Matcher.quoteReplacement("\u0000V" + (store.size() - 1) + "\u0000"));
            }
            m.appendTail(sb);
            src = sb.toString();
        }
        Matcher v = Pattern.compile("\\\\(?:verb|lstinline)\\*?([^a-zA-Z\\s{])(.*?)\\1").matcher(src);
        StringBuilder sb = new StringBuilder();
        while (v.find()) {
            store.add(v.group(2));
            v.appendReplacement(sb, Matcher.quoteReplacement("\u0000V" + (store.size() - 1) + "\u0000"));
        }
        v.appendTail(sb);
        return sb.toString();
    }

    /** Removes math from {@code src}, adding each item to {@code math}. */
    private static String cutMath(String src, List<Math> math) {
        Matcher m = MATH_ENV.matcher(src);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            math.add(new Math(m.group(3), true));
            m.appendReplacement(sb, " ");
        }
        m.appendTail(sb);
        src = sb.toString();
        StringBuilder out = new StringBuilder();
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char d = src.charAt(i + 1);
                String close = d == '[' ? "\\]" : d == '(' ? "\\)" : null;
                if (close != null) {
                    int end = src.indexOf(close, i + 2);
                    if (end > 0) {
                        math.add(new Math(src.substring(i + 2, end), d == '['));
                        out.append(' ');
                        i = end + 2;
                        continue;
                    }
                }
                out.append(c).append(d);
                i += 2;
                continue;
            }
            if (c == '$') {
                boolean display = i + 1 < n && src.charAt(i + 1) == '$';
                int from = i + (display ? 2 : 1);
                int end = findDollar(src, from, display);
                if (end > 0) {
                    math.add(new Math(src.substring(from, end), display));
                    out.append(' ');
                    i = end + (display ? 2 : 1);
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static int findDollar(String s, int from, boolean display) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (!display && c == '\n' && i + 1 < s.length() && s.charAt(i + 1) == '\n') return -1; // no blank line inside $…$
            if (c == '$') return display ? (i + 1 < s.length() && s.charAt(i + 1) == '$' ? i : -1) : i;
        }
        return -1;
    }

    /** Strips commands and braces from (math-free) LaTeX, keeping brace contents. */
    static String plain(String s) {
        StringBuilder out = new StringBuilder();
        int[] pos = {0};
        int n = s.length();
        while (pos[0] < n) {
            char c = s.charAt(pos[0]);
            if (c == '\\') {
                pos[0]++;
                if (pos[0] >= n) break;
                char d = s.charAt(pos[0]);
                if (!Character.isLetter(d)) {
                    pos[0]++;
                    switch (d) {
                        case '\\' -> {
                            out.append('\n');
                            skipSpace(s, pos);
                            if (pos[0] < n && s.charAt(pos[0]) == '[') bracket(s, pos);
                        }
                        case '&', '%', '$', '#', '_', '{', '}' -> out.append(d);
                        default -> out.append(' ');
                    }
                    continue;
                }
                int st = pos[0];
                while (pos[0] < n && (Character.isLetter(s.charAt(pos[0])) || s.charAt(pos[0]) == '@')) pos[0]++;
                String name = s.substring(st, pos[0]);
                if (pos[0] < n && s.charAt(pos[0]) == '*') pos[0]++;
                if (name.equals("begin") || name.equals("end")) {
                    group(s, pos);
                    if (pos[0] < n && s.charAt(pos[0]) == '[') bracket(s, pos);
                    out.append('\n');
                } else if (DROP.contains(name)) {
                    int save;
                    do {
                        save = pos[0];
                        skipSpace(s, pos);
                        if (pos[0] < n && s.charAt(pos[0]) == '[') bracket(s, pos);
                        else if (pos[0] < n && s.charAt(pos[0]) == '{') group(s, pos);
                        else pos[0] = save;
                    } while (pos[0] != save);
                    out.append(' ');
                } else if (SYMBOLS.containsKey(name)) {
                    out.append(SYMBOLS.get(name));
                    if (pos[0] < n && s.charAt(pos[0]) == '{' && pos[0] + 1 < n && s.charAt(pos[0] + 1) == '}') pos[0] += 2;
                    else if (pos[0] < n && s.charAt(pos[0]) == ' ') out.append(' ');
                } else {
                    if (pos[0] < n && s.charAt(pos[0]) == '[') bracket(s, pos);
                    out.append(name.equals("caption") || name.startsWith("section") || name.endsWith("section") || name.equals("chapter")
                            || name.equals("paragraph") || name.equals("title") || name.equals("footnote") ? "\n" : "");
                }
                continue;
            }
            pos[0]++;
            switch (c) {
                case '{', '}' -> {
                }
                case '~' -> out.append(' ');
                case '\u0000' -> {
                    int end = s.indexOf('\u0000', pos[0]);
                    out.append('\u0000').append(s, pos[0], end + 1);
                    pos[0] = end + 1;
                }
                default -> out.append(c);
            }
        }
        return out.toString().replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”");
    }

    private static void skipSpace(String s, int[] pos) {
        while (pos[0] < s.length() && s.charAt(pos[0]) == ' ') pos[0]++;
    }

    private static void bracket(String s, int[] pos) {
        int depth = 0;
        for (int i = pos[0]; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '{') depth++;
            else if (c == ']' || c == '}') {
                if (--depth == 0) {
                    pos[0] = i + 1;
                    return;
                }
            }
        }
        pos[0] = s.length();
    }

    private static void group(String s, int[] pos) {
        skipSpace(s, pos);
        if (pos[0] >= s.length() || s.charAt(pos[0]) != '{') return;
        int depth = 0;
        for (int i = pos[0]; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) {
                pos[0] = i + 1;
                return;
            }
        }
        pos[0] = s.length();
    }
}
