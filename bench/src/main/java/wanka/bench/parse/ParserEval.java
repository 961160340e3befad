package wanka.bench.parse;

import com.fasterxml.jackson.databind.ObjectMapper;
import wanka.curate.parse.DocumentParser;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Quarantine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges {@link DocumentParser} on PDFs whose LaTeX/Sweave sources are the ground truth ({@link LatexReference}) and prints
 * one JSON line per document: (1) recall/precision of token bigrams (a token is a word of letters/digits, lower-cased, or
 * one CJK character) between parsed and reference text; (2) {@code tabular} environments (and table-producing Sweave
 * chunks) in the source vs Markdown tables in the output, and how many source cells appear inside an output table;
 * (3) math items in the source and the fraction found in the output, {@code exact} (the item's symbol sequence,
 * e.g. {@code x^2+y} → {@code x2+y}, occurs contiguously once whitespace and {@code |} are removed from both, and
 * {@code ^ _ { }} from the text, as the parser writes PDF sub/superscripts as {@code x_{i}^{2}}) or
 * {@code loose} (in order within a short window, which tolerates 2-D layout such as fractions). Items with fewer than 3
 * symbols are not scored.
 *
 * <p>Usage: {@code ParserEval [--dump DIR] FILE.pdf SRC[,SRC...] [FILE.pdf SRC[,SRC...]]...}; a SRC is a .tex, .Rnw
 * (optionally .gz) or a directory of them.
 */
public final class ParserEval {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MD_TABLE = Pattern.compile("(?m)^\\|.*\\|\\n\\|( --- \\|)+$");

    private ParserEval() {
    }

    public static void main(String[] args) throws Exception {
        Path dump = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--dump")) dump = Path.of(args[++i]);
            else rest.add(args[i]);
        }
        if (rest.isEmpty() || rest.size() % 2 != 0) throw new IllegalArgumentException("usage: ParserEval [--dump DIR] FILE.pdf SRC[,SRC...] ...");
        for (int i = 0; i < rest.size(); i += 2) {
            Path pdf = Path.of(rest.get(i));
            List<Path> srcs = new ArrayList<>();
            for (String s : rest.get(i + 1).split(",")) {
                Path p = Path.of(s);
                if (Files.isDirectory(p)) {
                    try (var st = Files.list(p)) {
                        st.filter(f -> f.toString().matches(".*\\.(tex|Rnw)(\\.gz)?$")).sorted().forEach(srcs::add);
                    }
                } else srcs.add(p);
            }
            System.out.println(JSON.writeValueAsString(evaluate(pdf, srcs, dump)));
        }
    }

    static Map<String, Object> evaluate(Path pdf, List<Path> srcs, Path dump) throws Exception {
        LatexReference.Result ref = LatexReference.read(srcs);
        long t0 = System.nanoTime();
        List<Document> docs = new ArrayList<>();
        Path qfile = Files.createTempFile("parser-eval", ".jsonl");
        try (Quarantine q = new Quarantine(qfile)) {
            new DocumentParser().read(pdf, docs::add, q);
        }
        Files.deleteIfExists(qfile);
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("document", pdf.getFileName().toString());
        r.put("sources", srcs.size());
        if (docs.isEmpty()) {
            r.put("error", "quarantined");
            return r;
        }
        String parsed = docs.getFirst().text();
        if (dump != null) {
            Files.createDirectories(dump);
            Files.writeString(dump.resolve(pdf.getFileName() + ".md"), parsed);
            Files.writeString(dump.resolve(pdf.getFileName() + ".ref.txt"), ref.text());
        }
        r.put("pages", docs.getFirst().metadata().get(DocumentParser.PAGES));
        r.put("parse_s", round(secs));
        r.put("parsed_chars", parsed.length());
        r.put("reference_chars", ref.text().length());
        String normParsed = normalize(parsed);
        // (1) bigrams
        Map<String, Integer> pb = bigrams(tokens(normParsed)), rb = bigrams(tokens(normalize(ref.text())));
        long common = 0, np = 0, nr = 0;
        for (var e : rb.entrySet()) {
            nr += e.getValue();
            common += Math.min(e.getValue(), pb.getOrDefault(e.getKey(), 0));
        }
        for (int v : pb.values()) np += v;
        r.put("bigram_recall", round(nr == 0 ? 0 : (double) common / nr));
        r.put("bigram_precision", round(np == 0 ? 0 : (double) common / np));
        r.put("reference_bigrams", nr);
        r.put("parsed_bigrams", np);
        // (2) tables
        List<String> tableBlocks = markdownTables(parsed);
        r.put("src_tabular", ref.tables().size());
        r.put("src_generated_table_chunks", ref.generatedTableChunks());
        r.put("parsed_md_tables", tableBlocks.size());
        r.put("parsed_md_table_rows", tableBlocks.stream().mapToLong(b -> b.lines().count() - 1).sum());
        String inTables = squash(normalize(String.join("\n", tableBlocks)));
        String all = squash(normParsed);
        int cells = 0, cellsInTables = 0, cellsAnywhere = 0;
        for (List<String> t : ref.tables())
            for (String c : t) {
                String s = squash(normalize(c));
                if (s.length() < 2) continue;
                cells++;
                if (inTables.contains(s)) cellsInTables++;
                if (all.contains(s)) cellsAnywhere++;
            }
        r.put("src_cells", cells);
        r.put("cell_recall_in_md_tables", round(cells == 0 ? 0 : (double) cellsInTables / cells));
        r.put("cell_recall_anywhere", round(cells == 0 ? 0 : (double) cellsAnywhere / cells));
        // (3) math
        int inline = 0, display = 0, scored = 0, exact = 0, loose = 0, scoredDisplay = 0, looseDisplay = 0;
        String mathText = all.replaceAll("[\\^_{}]", ""); // script marks and braces, which signatures never hold
        Map<Character, int[]> index = positions(mathText);
        for (LatexReference.Math m : ref.math()) {
            if (m.display()) display++;
            else inline++;
            String sig = squash(signature(m.latex())); // the text is squashed too: table pipes and whitespace gone
            if (sig.length() < 3) continue;
            scored++;
            if (m.display()) scoredDisplay++;
            if (mathText.contains(sig)) exact++;
            if (looseFind(mathText, index, sig)) {
                loose++;
                if (m.display()) looseDisplay++;
            }
        }
        r.put("src_math_inline", inline);
        r.put("src_math_display", display);
        r.put("math_scored", scored);
        r.put("math_found_exact", round(scored == 0 ? 0 : (double) exact / scored));
        r.put("math_found_loose", round(scored == 0 ? 0 : (double) loose / scored));
        r.put("display_math_scored", scoredDisplay);
        r.put("display_math_found_loose", round(scoredDisplay == 0 ? 0 : (double) looseDisplay / scoredDisplay));
        return r;
    }

    static List<String> markdownTables(String text) {
        List<String> out = new ArrayList<>();
        for (String block : text.split("\n\n")) if (MD_TABLE.matcher(block).find()) out.add(block);
        return out;
    }

    /** NFKC (math italic letters, ligatures), Unicode minus and friends mapped to ASCII. */
    static String normalize(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).replace('−', '-').replace('∗', '*').replace('′', '\'')
                .replace('∣', '|').replace('“', '"').replace('”', '"').replace('’', '\'').replace('‘', '\'');
    }

    private static String squash(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(c -> !Character.isWhitespace(c) && c != '|').forEach(b::appendCodePoint);
        return b.toString();
    }

    static boolean cjk(int c) {
        Character.UnicodeScript sc = Character.UnicodeScript.of(c);
        return sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA || sc == Character.UnicodeScript.KATAKANA;
    }

    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (cjk(c)) {
                if (!w.isEmpty()) out.add(w.toString());
                w.setLength(0);
                out.add(Character.toString(c));
            } else if (Character.isLetterOrDigit(c)) {
                w.appendCodePoint(Character.toLowerCase(c));
            } else if (!w.isEmpty()) {
                out.add(w.toString());
                w.setLength(0);
            }
        });
        if (!w.isEmpty()) out.add(w.toString());
        return out;
    }

    static Map<String, Integer> bigrams(List<String> t) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 1; i < t.size(); i++) m.merge(t.get(i - 1) + " " + t.get(i), 1, Integer::sum);
        return m;
    }

    private static final Map<String, String> MATH_SYMBOLS = Map.ofEntries(
            Map.entry("alpha", "α"), Map.entry("beta", "β"), Map.entry("gamma", "γ"), Map.entry("delta", "δ"), Map.entry("epsilon", "ϵ"),
            Map.entry("varepsilon", "ε"), Map.entry("zeta", "ζ"), Map.entry("eta", "η"), Map.entry("theta", "θ"), Map.entry("lambda", "λ"),
            Map.entry("mu", "μ"), Map.entry("nu", "ν"), Map.entry("xi", "ξ"), Map.entry("pi", "π"), Map.entry("rho", "ρ"), Map.entry("sigma", "σ"),
            Map.entry("tau", "τ"), Map.entry("phi", "φ"), Map.entry("varphi", "φ"), Map.entry("chi", "χ"), Map.entry("psi", "ψ"),
            Map.entry("omega", "ω"), Map.entry("Gamma", "Γ"), Map.entry("Delta", "Δ"), Map.entry("Theta", "Θ"), Map.entry("Lambda", "Λ"),
            Map.entry("Sigma", "Σ"), Map.entry("Phi", "Φ"), Map.entry("Psi", "Ψ"), Map.entry("Omega", "Ω"), Map.entry("Pi", "Π"),
            Map.entry("sum", "∑"), Map.entry("prod", "∏"), Map.entry("int", "∫"), Map.entry("infty", "∞"), Map.entry("partial", "∂"),
            Map.entry("leq", "≤"), Map.entry("le", "≤"), Map.entry("geq", "≥"), Map.entry("ge", "≥"), Map.entry("neq", "≠"), Map.entry("ne", "≠"),
            Map.entry("times", "×"), Map.entry("cdot", "·"), Map.entry("pm", "±"), Map.entry("in", "∈"), Map.entry("to", "→"),
            Map.entry("rightarrow", "→"), Map.entry("approx", "≈"), Map.entry("sim", "∼"), Map.entry("nabla", "∇"), Map.entry("sqrt", "√"),
            Map.entry("log", "log"), Map.entry("exp", "exp"), Map.entry("sin", "sin"), Map.entry("cos", "cos"), Map.entry("lim", "lim"),
            Map.entry("max", "max"), Map.entry("min", "min"), Map.entry("det", "det"), Map.entry("top", "⊤"), Map.entry("equiv", "≡"));

    /** The symbol sequence of a math item: letters, digits, Greek and operators; other commands and braces dropped. */
    static String signature(String latex) {
        StringBuilder out = new StringBuilder();
        latex = latex.replaceAll("\\\\(label|tag|ref|eqref|hspace|vspace)\\*?\\{[^}]*\\}", " ");
        Matcher m = Pattern.compile("\\\\([a-zA-Z]+)|\\\\.|([A-Za-z0-9+\\-=<>()\\[\\]/,.!'|*])").matcher(latex);
        while (m.find()) {
            if (m.group(1) != null) {
                String name = m.group(1);
                if (name.equals("text") || name.equals("mathrm") || name.equals("operatorname")) continue; // their argument is kept
                String sym = MATH_SYMBOLS.get(name);
                if (sym != null) out.append(sym);
            } else if (m.group(2) != null) out.append(m.group(2));
        }
        return normalize(out.toString());
    }

    private static Map<Character, int[]> positions(String s) {
        Map<Character, List<Integer>> tmp = new HashMap<>();
        for (int i = 0; i < s.length(); i++) tmp.computeIfAbsent(s.charAt(i), k -> new ArrayList<>()).add(i);
        Map<Character, int[]> out = new HashMap<>();
        tmp.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /** Whether the characters of {@code sig} occur in order in {@code text} within 2·len+8 characters of a start. */
    static boolean looseFind(String text, Map<Character, int[]> index, String sig) {
        int[] starts = index.get(sig.charAt(0));
        if (starts == null) return false;
        int window = 2 * sig.length() + 8;
        for (int st : starts) {
            int p = st + 1, k = 1, lim = Math.min(text.length(), st + window);
            while (k < sig.length() && p < lim) {
                if (text.charAt(p) == sig.charAt(k)) k++;
                p++;
            }
            if (k == sig.length()) return true;
        }
        return false;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
