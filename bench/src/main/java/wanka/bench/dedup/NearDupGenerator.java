package wanka.bench.dedup;

import wanka.curate.dedup.TextNorm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a corpus with known near-duplicates from real texts. Every distinct text (after {@link TextNorm}) is an
 * original, so real near-but-distinct texts (Europarl's formulaic speeches, the chapters of one manual) stay in the
 * corpus as separate documents and merging them counts as a false positive. A fraction of the originals with at
 * least {@code minWords} tokens get one variant each, made by one kind of transformation drawn uniformly from
 * {@link Options#kinds}:
 * <ul>
 * <li>{@code EDIT}: each token, with probability {@code minEdit}–{@code maxEdit}, replaced by a token of another
 *     text (one with Han characters for Chinese, one without for the others), deleted, or followed by one
 *     (rewording, not noise: 5–15 % is a heavy edit);</li>
 * <li>{@code REORDER}: the sentences shuffled (the two halves swapped when there is one sentence);</li>
 * <li>{@code BOILERPLATE}: a header and a footer added, in Chinese for text with Han characters;</li>
 * <li>{@code TRUNCATE}: the first {@code minKeep}–{@code maxKeep} of the tokens kept;</li>
 * <li>{@code TYPOS}: each letter or digit, with probability {@code minTypo}–{@code maxTypo}, replaced by an OCR
 *     confusion ({@code m → rn}, {@code l → 1}, {@code e → c}, …), a neighbouring key, or (other scripts) another
 *     character of the same text;</li>
 * <li>{@code ENCODING}: punctuation and white space re-encoded as another tool would: straight and typographic
 *     quotes swapped (a quarter of the documents get HTML entities {@code &quot;} / {@code &#39;} instead),
 *     {@code " - "} → en or em dash, {@code ...} → {@code …}, runs of spaces inside a line (Europarl's paragraph
 *     breaks) as blank lines, the text re-wrapped
 *     into lines, some spaces non-breaking or doubled; Chinese text gets full-width punctuation and line breaks;</li>
 * <li>{@code DROP_SENTENCE}: one sentence removed (texts of one sentence get no variant).</li>
 * </ul>
 * The corpus is shuffled; ids are {@code dNNNNNNN} in the final order. Tokens are words, or for text with Han
 * characters the characters (white space kept as it was, but not counted for {@code minWords}); sentences end at
 * {@code . ! ?} before white space or at {@code 。！？}.
 */
public final class NearDupGenerator {

    /** How a document was made. */
    public enum Kind { ORIGINAL, EDIT, REORDER, BOILERPLATE, TRUNCATE, TYPOS, ENCODING, DROP_SENTENCE }

    /** A generated document: its cluster is the index of the original it derives from. */
    public record GenDoc(String id, String text, int cluster, Kind kind) {
    }

    /**
     * Generator settings: {@code dupFraction}, the fraction of eligible originals that get a variant; {@code kinds},
     * the transformations drawn from; the ranges of the token edit rate ({@code EDIT}), of the character typo rate
     * ({@code TYPOS}) and of the fraction truncation keeps ({@code TRUNCATE}), each drawn uniformly per document;
     * {@code minWords}, the fewest tokens an original needs to get a variant; the seed.
     */
    public record Options(double dupFraction, List<Kind> kinds, double minEdit, double maxEdit, double minTypo, double maxTypo,
                          double minKeep, double maxKeep, int minWords, long seed) {
        /** All kinds but {@code ORIGINAL}. */
        public static final List<Kind> ALL = List.of(Kind.EDIT, Kind.REORDER, Kind.BOILERPLATE, Kind.TRUNCATE, Kind.TYPOS, Kind.ENCODING, Kind.DROP_SENTENCE);
        /**
         * The benchmark's settings: 30 % get a variant, all kinds, edits 5–15 % of the tokens, typos 1–5 % of the
         * letters, truncation keeps 80–95 %, originals of 50+ tokens, seed 7.
         */
        public static final Options BENCH = new Options(0.3, ALL, 0.05, 0.15, 0.01, 0.05, 0.80, 0.95, 50, 7);

        public Options {
            kinds = List.copyOf(kinds);
            if (kinds.isEmpty() || kinds.contains(Kind.ORIGINAL)) throw new IllegalArgumentException("kinds: name at least one transformation, not ORIGINAL");
        }

        /** These settings with other kinds. */
        public Options withKinds(List<Kind> k) {
            return new Options(dupFraction, k, minEdit, maxEdit, minTypo, maxTypo, minKeep, maxKeep, minWords, seed);
        }
    }

    private static final String[] HEADERS = {
            "Home | News | Politics | Europe | Subscribe to our newsletter for daily updates",
            "Posted by the editorial team on our website. Share this article: Facebook Twitter Email Print",
            "Skip to main content. Menu. Search. Log in. Register. Latest news and analysis from Brussels",
    };
    private static final String[] FOOTERS = {
            "Copyright 2024 Example Media Group. All rights reserved. Privacy policy | Terms of use | Contact us",
            "Read more: related articles. Comments are closed. Follow us on social media for more stories like this one",
            "This article was first published on our partner site. Reproduction is prohibited without written permission",
    };
    private static final String[] HEADERS_ZH = {"首页 | 新闻 | 国际 | 订阅每日新闻", "本站编辑部发布 分享到：微博 微信", "跳到正文 菜单 搜索 登录 注册"};
    private static final String[] FOOTERS_ZH = {"版权所有 2024 示例传媒 保留所有权利", "相关阅读 评论已关闭 欢迎关注我们", "本文首发于合作网站 未经许可不得转载"};

    /** OCR look-alikes. */
    private static final Map<Character, String> OCR = Map.ofEntries(
            Map.entry('m', "rn"), Map.entry('l', "1"), Map.entry('I', "l"), Map.entry('O', "0"), Map.entry('o', "0"),
            Map.entry('e', "c"), Map.entry('c', "e"), Map.entry('a', "o"), Map.entry('h', "b"), Map.entry('u', "v"),
            Map.entry('n', "ri"), Map.entry('d', "cl"), Map.entry('w', "vv"), Map.entry('S', "5"), Map.entry('B', "8"),
            Map.entry('g', "q"), Map.entry('t', "f"), Map.entry('f', "t"), Map.entry('i', "l"), Map.entry('1', "l"),
            Map.entry('0', "O"), Map.entry('5', "S"), Map.entry('r', "n"));
    private static final String[] KEYBOARD = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?][\"'”’)]?)\\s+|(?<=[。！？][”」』）]?)(?![”」』）])\\s*");

    private NearDupGenerator() {
    }

    public static List<GenDoc> generate(List<String> texts, Options o) {
        Random rnd = new Random(o.seed());
        List<String> originals = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String t : texts) if (!t.isBlank() && seen.add(TextNorm.normalize(t))) originals.add(t);
        List<String> hanPool = originals.stream().filter(NearDupGenerator::hasHan).toList();
        List<String> otherPool = originals.stream().filter(t -> !hasHan(t)).toList();
        List<GenDoc> docs = new ArrayList<>();
        for (int c = 0; c < originals.size(); c++) {
            String t = originals.get(c);
            docs.add(new GenDoc("", t, c, Kind.ORIGINAL));
            List<String> tokens = tokens(t);
            if (words(tokens) < o.minWords() || rnd.nextDouble() >= o.dupFraction()) continue;
            Kind k = o.kinds().get(rnd.nextInt(o.kinds().size()));
            boolean han = hasHan(t);
            String v = switch (k) {
                case EDIT -> edit(tokens, between(rnd, o.minEdit(), o.maxEdit()), han ? hanPool : otherPool, rnd, han);
                case REORDER -> reorder(t, rnd);
                case BOILERPLATE -> han ? HEADERS_ZH[rnd.nextInt(3)] + "\n" + t + "\n" + FOOTERS_ZH[rnd.nextInt(3)]
                        : HEADERS[rnd.nextInt(3)] + "\n" + t + "\n" + FOOTERS[rnd.nextInt(3)];
                case TRUNCATE -> join(tokens.subList(0, (int) Math.round(tokens.size() * between(rnd, o.minKeep(), o.maxKeep()))), han);
                case TYPOS -> typos(t, between(rnd, o.minTypo(), o.maxTypo()), rnd);
                case ENCODING -> encoding(t, rnd);
                case DROP_SENTENCE -> dropSentence(t, rnd);
                case ORIGINAL -> throw new IllegalStateException();
            };
            if (v != null) docs.add(new GenDoc("", v, c, k));
        }
        Collections.shuffle(docs, rnd);
        List<GenDoc> out = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            GenDoc d = docs.get(i);
            out.add(new GenDoc(String.format("d%07d", i), d.text(), d.cluster(), d.kind()));
        }
        return out;
    }

    /** Each token but white space is, with probability {@code rate}, replaced by a token of another text, deleted, or followed by one. */
    static String edit(List<String> tokens, double rate, List<String> pool, Random rnd, boolean han) {
        List<String> out = new ArrayList<>(tokens.size() + 8);
        for (String tok : tokens) {
            if (tok.isBlank() || rnd.nextDouble() >= rate) {
                out.add(tok);
                continue;
            }
            switch (rnd.nextInt(3)) {
                case 0 -> out.add(randomToken(pool, rnd));
                case 1 -> { }
                default -> {
                    out.add(tok);
                    out.add(randomToken(pool, rnd));
                }
            }
        }
        return join(out, han);
    }

    /** Shuffles the sentences; swaps the halves of the tokens when there is only one. */
    static String reorder(String t, Random rnd) {
        List<String> sentences = sentences(t);
        if (sentences.size() < 2) {
            List<String> tokens = tokens(t);
            int cut = tokens.size() / 2;
            return join(tokens.subList(cut, tokens.size()), hasHan(t)) + " " + join(tokens.subList(0, cut), hasHan(t));
        }
        List<String> before = List.copyOf(sentences);
        for (int i = 0; i < 20 && sentences.equals(before); i++) Collections.shuffle(sentences, rnd);
        return String.join(" ", sentences);
    }

    /** Removes one sentence, keeping the rest of the text as it was; null when there is only one. */
    static String dropSentence(String t, Random rnd) {
        List<int[]> spans = sentenceSpans(t);
        if (spans.size() < 2) return null;
        int[] s = spans.get(rnd.nextInt(spans.size()));
        return (t.substring(0, s[0]) + t.substring(s[1])).strip();
    }

    /** Replaces each letter or digit with probability {@code rate}: by an OCR look-alike or a neighbouring key, or another character of the text. */
    static String typos(String t, double rate, Random rnd) {
        int[] cps = t.codePoints().toArray();
        StringBuilder b = new StringBuilder(t.length() + 16);
        for (int c : cps) {
            if (!Character.isLetterOrDigit(c) || rnd.nextDouble() >= rate) {
                b.appendCodePoint(c);
                continue;
            }
            String ocr = c < 0x80 ? OCR.get((char) c) : null;
            String key = c < 0x80 ? neighbourKey((char) c, rnd) : null;
            if (ocr != null && (key == null || rnd.nextBoolean())) b.append(ocr);
            else if (key != null) b.append(key);
            else b.appendCodePoint(otherLetter(cps, c, rnd));
        }
        return b.toString();
    }

    private static String neighbourKey(char c, Random rnd) {
        char lower = Character.toLowerCase(c);
        for (String row : KEYBOARD) {
            int i = row.indexOf(lower);
            if (i < 0) continue;
            int j = i == 0 ? 1 : i == row.length() - 1 ? i - 1 : i + (rnd.nextBoolean() ? 1 : -1);
            char k = row.charAt(j);
            return String.valueOf(Character.isUpperCase(c) ? Character.toUpperCase(k) : k);
        }
        return null;
    }

    private static int otherLetter(int[] cps, int c, Random rnd) {
        for (int tries = 0; tries < 50; tries++) {
            int o = cps[rnd.nextInt(cps.length)];
            if (o != c && Character.isLetter(o)) return o;
        }
        return c;
    }

    /**
     * Re-encodes quotes, dashes, ellipses and white space: typographic quotes for straight ones and back (or HTML
     * entities for a quarter of the texts), dashes, runs of spaces inside a line as blank lines, lines re-wrapped at 60–90
     * columns (20–40 characters for Chinese, with full-width punctuation), some spaces non-breaking or doubled.
     */
    static String encoding(String t, Random rnd) {
        boolean han = hasHan(t), html = rnd.nextInt(4) == 0;
        String s = t.replaceAll("(?<=\\S)[ \\t]{2,}(?=\\S)", "\n\n").replace("...", "…");
        s = rnd.nextBoolean() ? s.replace(" - ", " – ") : s.replace(" - ", "—");
        StringBuilder b = new StringBuilder(s.length() + 64);
        int width = han ? 20 + rnd.nextInt(21) : 60 + rnd.nextInt(31), col = 0, quotes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (han && col >= width && Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                b.append('\n');
                col = 0;
            }
            String r = switch (c) {
                case '"' -> html ? "&quot;" : quotes++ % 2 == 0 ? "“" : "”";
                case '\'' -> html ? "&#39;" : "’";
                case '“', '”' -> "\"";
                case '‘', '’' -> "'";
                case ',' -> han ? "，" : ",";
                case ':' -> han ? "：" : ":";
                case ';' -> han ? "；" : ";";
                case '!' -> han ? "！" : "!";
                case '?' -> han ? "？" : "?";
                case '(' -> han ? "（" : "(";
                case ')' -> han ? "）" : ")";
                case ' ' -> col >= width ? "\n" : rnd.nextInt(30) == 0 ? "\u00A0" : rnd.nextInt(30) == 0 ? "  " : " ";
                default -> String.valueOf(c);
            };
            b.append(r);
            col = r.equals("\n") ? 0 : col + r.length();
        }
        return b.toString();
    }

    /** The sentences of {@code t}, stripped. */
    static List<String> sentences(String t) {
        List<String> out = new ArrayList<>();
        for (int[] s : sentenceSpans(t)) out.add(t.substring(s[0], s[1]).strip());
        return out;
    }

    /** {@code [start, end)} of each sentence, the white space after it included; blank pieces skipped. */
    private static List<int[]> sentenceSpans(String t) {
        List<int[]> out = new ArrayList<>();
        Matcher m = SENTENCE_END.matcher(t);
        int start = 0;
        while (m.find()) {
            if (!t.substring(start, m.start()).isBlank()) out.add(new int[]{start, m.end()});
            start = m.end();
        }
        if (!t.substring(start).isBlank()) out.add(new int[]{start, t.length()});
        return out;
    }

    private static String randomToken(List<String> pool, Random rnd) {
        for (int tries = 0; ; tries++) {
            List<String> t = tokens(pool.get(rnd.nextInt(pool.size())));
            String w = t.isEmpty() ? "" : t.get(rnd.nextInt(t.size()));
            if (!w.isBlank() || tries > 100) return w.isBlank() ? "x" : w;
        }
    }

    /** The words of {@code t}; for text with Han characters, its characters, white space included so that joining them gives the text back. */
    static List<String> tokens(String t) {
        if (!hasHan(t)) return List.of(t.trim().split("\\s+"));
        return t.strip().codePoints().mapToObj(Character::toString).toList();
    }

    /** The number of tokens that are not white space. */
    private static long words(List<String> tokens) {
        return tokens.stream().filter(w -> !w.isBlank()).count();
    }

    private static String join(List<String> tokens, boolean han) {
        return String.join(han ? "" : " ", tokens);
    }

    public static boolean hasHan(String t) {
        return t.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    private static double between(Random rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }
}
